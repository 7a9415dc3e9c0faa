//! librato-wasm/metrics' allocator: size classes an eighth of a power of two apart, each with a
//! free list, carved from memory the module grows page by page. It replaces std's dlmalloc in
//! that entry only (3 KB of its gzipped .wasm, a twentieth of the entry's budget) because
//! LibratoMetrics allocates in few shapes (series keys, sample buffers, one body per request)
//! that come back in the same sizes every period, so a freed block is reused by its own class
//! and nothing needs coalescing. The main entry keeps dlmalloc: it parses input of any shape.
//!
//! A request is rounded up by at most an eighth (to 16 bytes below 128). Memory is never returned
//! to the host (wasm memory cannot shrink): the high water is the most each class held at once.

use core::alloc::{GlobalAlloc, Layout};
use core::arch::wasm32;
use core::cell::UnsafeCell;
use core::ptr::null_mut;

const PAGE: usize = 65_536;
/// Every block is carved at this alignment; a free block holds the next free block's address.
const GRAIN: usize = 16;
/// `SUB` classes per power of two: a request is rounded up by at most 1/`SUB`.
const SUB_BITS: usize = 3;
const SUB: usize = 1 << SUB_BITS;
/// The first power of two split into `SUB` classes: its steps are `GRAIN` bytes.
const K0: usize = SUB_BITS + 4;
/// Classes up to 1 GiB (wasm32 memory is at most 4 GiB; larger requests fail).
const CLASSES: usize = SUB + SUB * (30 - K0);

struct State {
    /// The head of each class's free list.
    free: [*mut u8; CLASSES],
    /// The unused part of the pages grown last.
    next: usize,
    end: usize,
}

pub struct Classes(UnsafeCell<State>);

// Safety: wasm32-unknown-unknown is single-threaded (no atomics target feature in these builds).
unsafe impl Sync for Classes {}

impl Classes {
    pub const fn new() -> Self {
        Classes(UnsafeCell::new(State {
            free: [null_mut(); CLASSES],
            next: 0,
            end: 0,
        }))
    }
}

/// The class of a layout: multiples of 16 bytes up to `SUB` of them, then for each power of two
/// 2^k, `SUB` steps of 2^k / `SUB` up to 2^(k+1).
fn class(layout: &Layout) -> usize {
    let size = layout.size().max(layout.align()).max(1);
    if size <= SUB * GRAIN {
        return (size - 1) / GRAIN;
    }
    let k = (usize::BITS - 1 - (size - 1).leading_zeros()) as usize; // 2^k < size <= 2^(k+1)
    let step = 1 << (k - SUB_BITS);
    SUB * (k - K0) + (size - (1 << k)).div_ceil(step) + SUB - 1
}

/// A class's block size.
fn class_size(c: usize) -> usize {
    if c < SUB {
        return GRAIN * (c + 1);
    }
    let k = (c - SUB) / SUB + K0;
    (1 << k) + ((c - SUB) % SUB + 1) * (1 << (k - SUB_BITS))
}

/// The first address past the module's memory.
fn memory_end() -> usize {
    wasm32::memory_size(0) * PAGE
}

impl State {
    /// A fresh block of `size` bytes aligned to `align`, from the pages grown so far or new ones.
    unsafe fn carve(&mut self, size: usize, align: usize) -> *mut u8 {
        let start = (self.next + align - 1) & !(align - 1);
        if start + size > self.end {
            let got = wasm32::memory_grow(0, (size + align).div_ceil(PAGE));
            if got == usize::MAX {
                return null_mut();
            }
            // New pages follow the old ones unless someone else grew memory in between.
            if got * PAGE != self.end {
                self.next = got * PAGE;
            }
            self.end = memory_end();
            return self.carve(size, align);
        }
        self.next = start + size;
        start as *mut u8
    }
}

unsafe impl GlobalAlloc for Classes {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let c = class(&layout);
        if c >= CLASSES {
            return null_mut();
        }
        let s = &mut *self.0.get();
        let head = s.free[c];
        // A reused block keeps the alignment it was carved with: 16 bytes, more only if its
        // first user asked for more; checked before handing it out.
        if !head.is_null() && (head as usize) % layout.align() == 0 {
            s.free[c] = *(head as *mut *mut u8);
            return head;
        }
        s.carve(class_size(c), layout.align().max(GRAIN))
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        let c = class(&layout);
        let s = &mut *self.0.get();
        *(ptr as *mut *mut u8) = s.free[c];
        s.free[c] = ptr;
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let new = Layout::from_size_align_unchecked(new_size, layout.align());
        let (from, to) = (class(&layout), class(&new));
        if to == from {
            return ptr;
        }
        let p = self.alloc(new);
        if !p.is_null() {
            core::ptr::copy_nonoverlapping(ptr, p, layout.size().min(new_size));
            self.dealloc(ptr, layout);
        }
        p
    }
}
