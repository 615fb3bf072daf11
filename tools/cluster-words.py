#!/usr/bin/env python3
"""Groups the built-in words by the company they keep: crates/dict/data/word-clusters.txt.

    tools/cluster-words.py WORDS TEXT OUT

WORDS is the built-in word list (crates/dict/data/words.txt), TEXT the English text it was
counted from (tools/build-word-list passes the same sources), OUT gets one line per word of WORDS,
in its order: the word's cluster, 0 to CLUSTERS - 1, or CLUSTERS for a word seen fewer than
MIN_COUNT times between two tokens.

The text is read as the dictionary transform's models see it: lower-cased, a token is a run of
ASCII letters or one other byte that is not white space. A word is described by the tokens
around it: how often each of the TOP_TOKENS most frequent tokens (or any other) comes just
before it and just after it, each side's counts divided by their sum, square-rooted. k-means
(CLUSTERS centres, started from words drawn with a fixed seed, ITERATIONS rounds) groups words
of one grammatical use: plural nouns after `the`, verbs after `to`, adjectives before nouns.
Clusters are numbered by their most valuable word (the earliest in WORDS), first come first.

Needs numpy (the committed file was made with numpy 2.4.6; another version may draw other starting
words, and tools/build-word-list says when the result differs). The output is part of the archive
format (see crates/dict/src/words.rs): changing it needs a new format version.
"""

import re
import sys

import numpy as np

CLUSTERS = 64
TOP_TOKENS = 1600
MIN_COUNT = 5
ITERATIONS = 30
SEED = 1


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__.split("\n\n")[1])
    words_path, text_path, out_path = sys.argv[1:4]
    words = open(words_path, encoding="ascii").read().splitlines()
    text = open(text_path, "rb").read().decode("latin-1").lower()
    tokens = re.findall(r"[a-z]+|[^a-z\s]", text)
    counts = {}
    for t in tokens:
        counts[t] = counts.get(t, 0) + 1
    ranked = sorted(counts, key=lambda t: (-counts[t], t))[:TOP_TOKENS]
    column = {t: i for i, t in enumerate(ranked)}
    other = len(ranked)
    side = other + 1
    row = {w: i for i, w in enumerate(words)}
    neighbours = np.zeros((len(words), 2 * side))
    for before, token, after in zip(tokens, tokens[1:], tokens[2:]):
        i = row.get(token)
        if i is not None:
            neighbours[i, column.get(before, other)] += 1
            neighbours[i, side + column.get(after, other)] += 1
    seen = neighbours[:, :side].sum(1) >= MIN_COUNT
    left = neighbours[seen, :side]
    right = neighbours[seen, side:]
    points = np.sqrt(np.hstack([left / left.sum(1, keepdims=True), right / right.sum(1, keepdims=True)]))

    centres = points[np.random.default_rng(SEED).choice(len(points), CLUSTERS, replace=False)]
    for _ in range(ITERATIONS):
        labels = nearest(points, centres)
        for k in range(CLUSTERS):
            members = labels == k
            if members.any():
                centres[k] = points[members].mean(0)
    labels = nearest(points, centres)

    cluster = np.full(len(words), CLUSTERS)
    cluster[seen] = labels
    number = {}
    for c in cluster:
        if c != CLUSTERS and c not in number:
            number[c] = len(number)
    number[CLUSTERS] = CLUSTERS
    with open(out_path, "w", encoding="ascii") as out:
        out.writelines(f"{number[c]}\n" for c in cluster)


def nearest(points, centres):
    """The index of each point's nearest centre (squared Euclidean distance), in blocks."""
    labels = np.empty(len(points), dtype=int)
    norms = (centres**2).sum(1)
    for start in range(0, len(points), 1024):
        block = points[start : start + 1024]
        labels[start : start + 1024] = (norms[None] - 2 * block @ centres.T).argmin(1)
    return labels


if __name__ == "__main__":
    main()
