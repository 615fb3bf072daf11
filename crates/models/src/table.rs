//! Large zero-initialised tables.
//!
//! Context tables are hundreds of megabytes (mixer weight sets, APMs and the match model's
//! positions, read at random too, use the same tables). They are anonymous memory maps: the
//! kernel hands out zeroed pages lazily (a table costs resident memory only where it is touched,
//! so a small input stays small) and, where transparent huge pages are available on request and
//! [`with_huge_pages`] allows them, 2 MiB pages cut the TLB misses of random access. A table in
//! huge pages is faulted in when it is made, on every core ([`populate`]): its input is known to
//! be long enough to touch all of it.

use memmap2::MmapMut;
use std::cell::Cell;
use std::marker::PhantomData;

thread_local! {
    static HUGE_PAGES: Cell<bool> = const { Cell::new(true) };
}

/// Runs `build` with huge pages allowed (or not) for the tables it creates on this thread.
///
/// A huge page is resident as soon as one byte of it is touched. That is what a large input
/// wants (it touches every page anyway, and 2 MiB pages save TLB misses), but a small one, or a
/// forged archive whose header claims a large input, would make gigabytes resident by touching a
/// few bytes in each. The engine asks for huge pages only when its input is known to be large.
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

/// Bytes of a table that one thread of [`populate`] faults in at a time: one huge page.
const POPULATE_CHUNK: usize = 1 << 21;

/// Faults every page of `map` in now, on all of rayon's threads, instead of one at a time on the
/// thread that first touches it. Hashed contexts touch every huge page of a table within the
/// first bytes of the text, so the thread coding them would otherwise stop while the kernel
/// zeroes the whole table, alone (on this machine: 1.2 of 10 s at level 6 on wiki-dev, while
/// the other thread waited). Only a hint: where the kernel cannot (before Linux 5.14), pages are
/// faulted in as they are touched.
fn populate(map: &MmapMut) {
    use rayon::prelude::*;
    let len = map.len();
    (0..len.div_ceil(POPULATE_CHUNK))
        .into_par_iter()
        .for_each(|chunk| {
            let start = chunk * POPULATE_CHUNK;
            let chunk_len = POPULATE_CHUNK.min(len - start);
            let _ = map.advise_range(memmap2::Advice::PopulateWrite, start, chunk_len);
        });
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
        let bytes = (len * std::mem::size_of::<T>()).max(1);
        let map = MmapMut::map_anon(bytes).expect("cannot reserve memory for a context table");
        #[cfg(target_os = "linux")]
        if bytes >= 1 << 21 && HUGE_PAGES.get() {
            // Only advice: without transparent huge pages the table simply uses 4 KiB pages.
            let _ = map.advise(memmap2::Advice::HugePage);
            populate(&map);
        }
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
        let mut t = ZeroedTable::<u32>::new(1 << 20);
        assert!(t.as_slice().iter().all(|&v| v == 0));
        t.as_mut_slice()[12345] = 7;
        assert_eq!(t.as_slice()[12345], 7);
        assert_eq!(t.len(), 1 << 20);
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
