//! The coding loops: on one thread, and on two into the archive of one.
//!
//! The models never see a prediction: their state after any prefix of the text depends on that
//! prefix alone (and on the primer they learnt before it, if primed; see [`ModelStage`]). A
//! compressor knows the whole text in advance, so it can run the modelling stage ahead on a
//! thread of its own, which hands the mixer inputs and contexts of every bit to the coding thread
//! in chunks:
//!
//! ```text
//! modelling thread:  for each bit: inputs, contexts = models.predict(); models.update(bit)
//!                        → chunk of CHUNK_BYTES · 8 frames →
//! coding thread:     for each bit: p = mixing.p(inputs, contexts); encode(bit, p); mixing.update(bit)
//! ```
//!
//! Some context maps' inputs travel as bit-history states: their state maps are part of the
//! mixing stage, so that neither thread waits long for the other (which maps: see
//! `engine::modelling_state_maps`). The coding thread starts loading what each frame reads two
//! frames ahead (see [`PREFETCH_FRAMES`]). A primed engine's primer goes through the same two
//! threads first, as text that is modelled and mixed but not coded (on one thread it held up the
//! text for 0.25 s at level 6, and for about 5 s at level 9 when format version 28 measured it).
//!
//! Every part of the engine (a model, a context map, a map's state map, the mixer, an APM) does
//! exactly the arithmetic, in exactly the order, that it does in the single-threaded
//! [`Predictor`], so the archive is byte for byte the same (tested). A decoder cannot do this
//! with the text (it needs each bit before the models can go on), which it decodes on one core;
//! but the primer is known in advance, and a decoder with a core to spare learns it on two
//! ([`prime`]).

use crate::block::PROGRESS_INTERVAL;
use crate::engine::{bits_of, MixContexts, MixStage, ModelStage, Predictor};
use crate::format::Error;
use aizip_coder::Encoder;
use aizip_models::table::prefetch_lines;
use aizip_models::Inputs;
use std::io::Write;
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};

/// Bytes of text per chunk: 2,048 frames of 4 bytes per mixer input and 64 of contexts (from
/// about 120 KiB a chunk at level 1 to 1.2 MB at level 9), few enough that the chunks in flight
/// stay in the shared cache, enough that handing one over costs next to nothing (64 and 1,024
/// bytes measured no better).
const CHUNK_BYTES: usize = 256;
/// Chunks in flight: the modelling thread may run this far ahead.
const CHUNKS: usize = 4;

const _: () = assert!(PROGRESS_INTERVAL.is_multiple_of(CHUNK_BYTES));

/// How many bits ahead the coding thread starts loading what a bit's frame will read: its inputs,
/// written on the other core, and the weight vectors and APM rows its contexts select. (The
/// first frames of a chunk are not loaded ahead: 2 of 2,048.)
const PREFETCH_FRAMES: usize = 2;

/// The frames of [`CHUNK_BYTES`] bytes: each bit's mixer inputs and its contexts.
///
/// Each bit's inputs are a buffer of their own, which the coding thread swaps with the mixer's
/// instead of copying them (the copies took 7.6% of all CPU samples at level 9, when it had 130
/// inputs a bit): the mixer's last buffer goes back to the modelling thread in the frame, to be
/// overwritten. Every buffer has the mixer's padded length and zero padding (no one writes past
/// the inputs pushed).
struct Chunk {
    inputs: Vec<Inputs>,
    contexts: Vec<MixContexts>,
}

/// Codes `coded` into `encoder` with `predictor`, on this thread. After every
/// [`PROGRESS_INTERVAL`] bytes, and after the last (if any), calls
/// `piece_done(encoder, bytes coded so far)`; its error stops the coding and is returned.
pub fn encode_on_one_thread<W: Write>(
    coded: &[u8],
    mut predictor: Predictor,
    encoder: &mut Encoder<W>,
    mut piece_done: impl FnMut(&mut Encoder<W>, usize) -> Result<(), Error>,
) -> Result<(), Error> {
    let mut done = 0;
    for piece in coded.chunks(PROGRESS_INTERVAL) {
        for &byte in piece {
            for bit in bits_of(byte) {
                encoder.encode(bit, predictor.p());
                predictor.update(bit);
            }
        }
        done += piece.len();
        piece_done(encoder, done)?;
    }
    Ok(())
}

/// As [`encode_on_one_thread`], with the [`stages`](crate::engine::stages) of an engine that
/// must first learn `primer` (see [`crate::engine::primer_of`]): the modelling stage on a second
/// thread, or on this one where no thread can be started. Both threads run over the primer as
/// over the text, without coding it.
pub fn encode<W: Write>(
    primer: &[u8],
    coded: &[u8],
    (models, mut mixing): (ModelStage, MixStage),
    encoder: &mut Encoder<W>,
    mut piece_done: impl FnMut(&mut Encoder<W>, usize) -> Result<(), Error>,
) -> Result<(), Error> {
    let code = |encoder: &mut Encoder<W>, bit, p| encoder.encode(bit, p);
    let ran = run_two_threads(
        primer,
        coded,
        models,
        &mut mixing,
        encoder,
        code,
        &mut piece_done,
    )?;
    if let Ran::NoThread(mut models) = ran {
        crate::engine::prime(&mut models, &mut mixing, primer);
        let predictor = Predictor::from_stages(models, mixing);
        encode_on_one_thread(coded, predictor, encoder, piece_done)?;
    }
    Ok(())
}

/// The [`stages`](crate::engine::stages) of an engine after learning `primer`, on two threads
/// where a second can be started: what a decoder, which cannot run its stages apart on the
/// text, can still split.
pub fn prime(
    primer: &[u8],
    (models, mut mixing): (ModelStage, MixStage),
) -> (ModelStage, MixStage) {
    let nothing = |_: &mut (), _, _| {};
    let no_progress = |_: &mut (), _| Ok(());
    let ran = run_two_threads(
        primer,
        &[],
        models,
        &mut mixing,
        &mut (),
        nothing,
        no_progress,
    );
    match ran.expect("only progress reports fail, and there are none") {
        Ran::Done(models) => (models, mixing),
        Ran::NoThread(mut models) => {
            crate::engine::prime(&mut models, &mut mixing, primer);
            (models, mixing)
        }
    }
}

/// How [`run_two_threads`] ended: with the modelling stage after the last bit, or without
/// running, where no thread could be started.
enum Ran {
    Done(ModelStage),
    NoThread(ModelStage),
}

/// Runs `models` on a thread of its own over `primer`, then `coded`, and `mixing` on this thread
/// over the frames it hands over (see the module documentation). Each bit of the text goes to
/// `code(sink, bit, p)` with its probability; after every [`PROGRESS_INTERVAL`] bytes of it, and
/// after the last (if any), `piece_done(sink, bytes so far)` is called, whose error stops the run.
fn run_two_threads<S>(
    primer: &[u8],
    coded: &[u8],
    models: ModelStage,
    mixing: &mut MixStage,
    sink: &mut S,
    code: impl Fn(&mut S, u32, u32),
    mut piece_done: impl FnMut(&mut S, usize) -> Result<(), Error>,
) -> Result<Ran, Error> {
    let width = mixing.inputs().padded().len();
    std::thread::scope(|scope| {
        // Created inside the scope, so that an early return drops the coding thread's ends and
        // the modelling thread, blocked on one of them, stops before the scope joins it.
        let (full_sender, full_receiver) = sync_channel::<Chunk>(CHUNKS);
        let (empty_sender, empty_receiver) = sync_channel::<Chunk>(CHUNKS);
        // The stage goes to the thread once it runs: a failed start leaves it here.
        let (stage_sender, stage_receiver) = sync_channel::<ModelStage>(1);
        let started = std::thread::Builder::new()
            .name("aizip models".into())
            .spawn_scoped(scope, move || {
                let models = stage_receiver.recv().ok()?;
                let pieces = primer.chunks(CHUNK_BYTES).chain(coded.chunks(CHUNK_BYTES));
                model_chunks(pieces, models, &empty_receiver, &full_sender)
            });
        let Ok(modelling) = started else {
            return Ok(Ran::NoThread(models));
        };
        // Every empty chunk is queued before the thread has its stage: it may finish (and drop
        // its end of the channel) before this thread sends another.
        for _ in 0..CHUNKS {
            let frames = CHUNK_BYTES * 8;
            let chunk = Chunk {
                inputs: (0..frames).map(|_| Inputs::with_capacity(width)).collect(),
                contexts: Vec::with_capacity(frames),
            };
            empty_sender.send(chunk).expect("the channel holds CHUNKS");
        }
        stage_sender
            .send(models)
            .expect("the modelling thread waits for its stage");

        for bytes in primer.chunks(CHUNK_BYTES) {
            mix_chunk(mixing, bytes, &full_receiver, &empty_sender, |_, _| {});
        }
        let mut done = 0;
        for piece in coded.chunks(PROGRESS_INTERVAL) {
            for bytes in piece.chunks(CHUNK_BYTES) {
                let code = |bit, p| code(sink, bit, p);
                mix_chunk(mixing, bytes, &full_receiver, &empty_sender, code);
            }
            done += piece.len();
            piece_done(sink, done)?;
        }
        let models = match modelling.join() {
            Ok(models) => models.expect("the modelling thread ran to the end"),
            Err(panic) => std::panic::resume_unwind(panic),
        };
        Ok(Ran::Done(models))
    })
}

/// Runs the mixing stage over the next full chunk, whose frames are the bits of `bytes`, handing
/// each bit and its probability to `code`, and sends the chunk back to be filled.
#[inline(always)]
fn mix_chunk(
    mixing: &mut MixStage,
    bytes: &[u8],
    full: &Receiver<Chunk>,
    empty: &SyncSender<Chunk>,
    mut code: impl FnMut(u32, u32),
) {
    let mut chunk = full.recv().expect("the modelling thread models every byte");
    let bits = bytes.iter().flat_map(|&byte| bits_of(byte));
    for (frame, bit) in bits.enumerate() {
        if let Some(next) = chunk.contexts.get(frame + PREFETCH_FRAMES) {
            mixing.prefetch(next);
            prefetch_lines(chunk.inputs[frame + PREFETCH_FRAMES].padded());
        }
        std::mem::swap(mixing.inputs(), &mut chunk.inputs[frame]);
        code(bit, mixing.p(&chunk.contexts[frame]));
        mixing.update(bit);
    }
    // Fails only once the modelling thread is done with its last chunk.
    let _ = empty.send(chunk);
}

/// The modelling thread: fills each empty chunk with the frames of the next of `pieces` (of
/// [`CHUNK_BYTES`] each, but for the last of the primer and of the text); returns the stage after
/// the last. Stops early, returning nothing, when the coding thread has stopped listening.
fn model_chunks<'a>(
    pieces: impl Iterator<Item = &'a [u8]>,
    mut models: ModelStage,
    empty: &Receiver<Chunk>,
    full: &SyncSender<Chunk>,
) -> Option<ModelStage> {
    for bytes in pieces {
        let mut chunk = empty.recv().ok()?;
        chunk.contexts.clear();
        let mut frames = chunk.inputs.iter_mut();
        for &byte in bytes {
            models.prefetch_byte(byte);
            for bit in bits_of(byte) {
                let inputs = frames.next().expect("a chunk has 8 frames per byte");
                let mut contexts = MixContexts::default();
                models.predict(inputs, &mut contexts);
                chunk.contexts.push(contexts);
                models.update(bit);
            }
        }
        full.send(chunk).ok()?;
    }
    Some(models)
}
