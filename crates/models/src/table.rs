//! Large zero-initialised tables.
//!
//! Context tables are hundreds of megabytes (mixer weight sets, APMs and the match model's
//! positions, read at random too, use the same tables). They are anonymous memory maps: the
//! kernel hands out zeroed pages lazily (a table costs resident memory only where it is touched,
//! so a small input stays small) and, where transparent huge pages are available on request and
//! [`with_huge_pages`] allows them, 2 MiB pages cut the TLB misses of random access.
//!
//! A table that the input touches throughout (one indexed by hashes of the text, sized to what
//! the input can fill) is better faulted in at once, on every core, when it is made in huge pages:
//! see [`ZeroedTable::prefaulted`].

use memmap2::MmapMut;
use std::cell::Cell;
use std::marker::PhantomData;
use std::sync::atomic::{AtomicUsize, Ordering};

thread_local! {
    static HUGE_PAGES: Cell<bool> = const { Cell::new(true) };
}

/// Runs `build` with huge pages allowed (or not) for the tables it creates on this thread.
///
/// A huge page is resident as soon as one byte of it is touched, and a prefaulted table is
/// resident in full as soon as it is made. That is what a large input wants (it touches every
/// page anyway, and 2 MiB pages save TLB misses), but a small one, or a forged archive whose
/// header claims a large input, would make gigabytes resident. The engine asks for huge pages
/// only when its input is known to be large.
pub fn with_huge_pages<T>(allowed: bool, build: impl FnOnce() -> T) -> T {
    struct Restore(bool);
    impl Drop for Restore {
        fn drop(&mut self) {
            HUGE_PAGES.set(self.0);
        }
    }
    let _restore = Restore(HUGE_PAGES.replace(allowed));
    build()
}

/// Threads that fault in a prefaulted table; 0 means one per core.
static PREFAULT_THREADS: AtomicUsize = AtomicUsize::new(0);

/// Sets how many threads fault in each prefaulted table from now on, in the whole process (0: one
/// per core, the default). A measurement of what one core does (`aizip score`, as the prize runs
/// a compressor) sets 1.
pub fn set_prefault_threads(threads: usize) {
    PREFAULT_THREADS.store(threads, Ordering::Relaxed);
}

/// Bytes that one thread of [`prefault`] faults in at a time: one huge page.
#[cfg(target_os = "linux")]
const PREFAULT_CHUNK: usize = 1 << 21;

/// Faults every page of `map` in now, on [`PREFAULT_THREADS`] threads of its own (plain threads,
/// not a pool's, which could take up other work while they wait), in pieces that are aligned
/// huge pages. Only a hint: where the kernel cannot (before Linux 5.14), pages are faulted in as
/// they are touched.
#[cfg(target_os = "linux")]
fn prefault(map: &MmapMut) {
    let len = map.len();
    // Piece k is the map's share of the k-th aligned huge page from the one it starts in.
    let misaligned = map.as_ptr() as usize % PREFAULT_CHUNK;
    let pieces = (misaligned + len).div_ceil(PREFAULT_CHUNK);
    let piece = |k: usize| {
        let start = (k * PREFAULT_CHUNK).saturating_sub(misaligned);
        let end = ((k + 1) * PREFAULT_CHUNK - misaligned).min(len);
        (start, end - start)
    };
    let next = AtomicUsize::new(0);
    let fault_pieces = || loop {
        let k = next.fetch_add(1, Ordering::Relaxed);
        if k >= pieces {
            break;
        }
        let (start, bytes) = piece(k);
        let _ = map.advise_range(memmap2::Advice::PopulateWrite, start, bytes);
    };
    let threads = match PREFAULT_THREADS.load(Ordering::Relaxed) {
        0 => std::thread::available_parallelism().map_or(1, usize::from),
        n => n,
    };
    std::thread::scope(|scope| {
        for _ in 1..threads.min(pieces) {
            // Without another thread, this one faults in every piece.
            let _ = std::thread::Builder::new().spawn_scoped(scope, fault_pieces);
        }
        fault_pieces();
    });
}

/// Asks the CPU to start loading every (64-byte) cache line that holds the start of an element
/// of `items`, whatever their alignment.
#[inline(always)]
pub fn prefetch_lines<T>(items: &[T]) {
    const LINE: usize = 64;
    let size = std::mem::size_of::<T>().max(1);
    let start = items.as_ptr() as usize;
    let mut index = 0;
    while index < items.len() {
        prefetch(&items[index]);
        let next_line = ((start + index * size) / LINE + 1) * LINE;
        index = (next_line - start).div_ceil(size);
    }
}

/// Asks the CPU to start loading the cache line holding `item` (a hint: no effect on results).
#[inline(always)]
pub fn prefetch<T>(item: &T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch is only a hint and never faults.
    unsafe {
        std::arch::x86_64::_mm_prefetch(
            item as *const T as *const i8,
            std::arch::x86_64::_MM_HINT_T0,
        )
    };
    #[cfg(not(target_arch = "x86_64"))]
    let _ = item;
}

/// Types that are valid when all their bytes are zero and have no padding or pointers.
///
/// # Safety
/// Implementors must be plain data for which every bit pattern, in particular all zeros, is valid.
pub unsafe trait Zeroable: Copy {}

unsafe impl Zeroable for u8 {}
unsafe impl Zeroable for u16 {}
unsafe impl Zeroable for u32 {}
unsafe impl Zeroable for i32 {}

/// A fixed-length table of `T`, zeroed, page-aligned.
pub struct ZeroedTable<T: Zeroable> {
    map: MmapMut,
    len: usize,
    _marker: PhantomData<T>,
}

impl<T: Zeroable> ZeroedTable<T> {
    /// A table of `len` zero elements, in huge pages where the system offers them and
    /// [`with_huge_pages`] allows. Panics only if the system refuses the address space.
    pub fn new(len: usize) -> Self {
        ZeroedTable::make(len, false)
    }

    /// As [`ZeroedTable::new`], for a table that will be touched throughout from its first uses
    /// (a hashed context table, which the first bytes of a text touch in every huge page): if it
    /// is in huge pages, it is faulted in now on all cores. Otherwise the thread that first
    /// touches it would wait alone while the kernel zeroes all of it: 1.2 of 10 s at level 6 on
    /// wiki-dev, while the coding thread waited for the modelling thread (perf).
    pub fn prefaulted(len: usize) -> Self {
        ZeroedTable::make(len, true)
    }

    fn make(len: usize, prefaulted: bool) -> Self {
        let bytes = (len * std::mem::size_of::<T>()).max(1);
        let map = MmapMut::map_anon(bytes).expect("cannot reserve memory for a context table");
        #[cfg(target_os = "linux")]
        // Only advice: without transparent huge pages the table uses 4 KiB pages, touched lazily.
        if bytes >= 1 << 21
            && HUGE_PAGES.get()
            && map.advise(memmap2::Advice::HugePage).is_ok()
            && prefaulted
        {
            prefault(&map);
        }
        #[cfg(not(target_os = "linux"))]
        let _ = prefaulted;
        assert!((map.as_ptr() as usize).is_multiple_of(std::mem::align_of::<T>()));
        ZeroedTable {
            map,
            len,
            _marker: PhantomData,
        }
    }

    pub fn as_slice(&self) -> &[T] {
        // SAFETY: the map holds at least len * size_of::<T>() bytes, is aligned for T (checked in
        // new; maps are page-aligned) and T is valid for any bytes (Zeroable).
        unsafe { std::slice::from_raw_parts(self.map.as_ptr() as *const T, self.len) }
    }

    pub fn as_mut_slice(&mut self) -> &mut [T] {
        // SAFETY: as in as_slice; the map is uniquely borrowed.
        unsafe { std::slice::from_raw_parts_mut(self.map.as_mut_ptr() as *mut T, self.len) }
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn starts_zeroed_and_is_writable() {
        // Lazily and prefaulted, on one thread and several, of a whole number of huge pages
        // and of a ragged length.
        for (len, prefaulted, threads) in [
            (1 << 20, false, 0),
            (1 << 20, true, 0),
            ((5 << 19) + 4321, true, 0),
            ((5 << 19) + 4321, true, 1),
        ] {
            set_prefault_threads(threads);
            let mut t = if prefaulted {
                ZeroedTable::<u32>::prefaulted(len)
            } else {
                ZeroedTable::<u32>::new(len)
            };
            assert!(t.as_slice().iter().all(|&v| v == 0));
            t.as_mut_slice()[12345] = 7;
            assert_eq!(t.as_slice()[12345], 7);
            assert_eq!(t.len(), len);
        }
        set_prefault_threads(0);
    }

    #[test]
    fn huge_pages_are_allowed_again_after_a_scope_without_them() {
        assert!(HUGE_PAGES.get());
        let inside = with_huge_pages(false, || {
            let t = ZeroedTable::<u8>::new(4 << 20);
            (HUGE_PAGES.get(), t.len())
        });
        assert_eq!(inside, (false, 4 << 20));
        assert!(HUGE_PAGES.get());
    }
}
