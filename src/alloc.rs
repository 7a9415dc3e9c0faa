//! The package's allocator (the main entry's and librato-wasm/metrics'; the command line's
//! .wasm keeps std's dlmalloc): small blocks in size classes an eighth of a power of two
//! apart, each with a free list; large blocks as spans of memory kept in one address-ordered
//! free list, split on reuse and merged with free neighbours. Both are carved from memory the
//! module grows page by page. It replaces dlmalloc (7 KB of code, 3 KB of the main entry's
//! gzipped .wasm) because what these entries allocate is either small and comes back in the
//! same sizes (series keys, sample buffers, metrics' strings: a freed block is reused by its
//! own class) or large and rare (input text, bodies, tables that double): a short list of
//! spans that coalesce serves those without dlmalloc's bins.
//!
//! A small request is rounded up by at most an eighth (to 8 bytes below 64); a large one to
//! 256 bytes. Memory is never returned to the host (wasm memory cannot shrink): the high water
//! is the most held at once, plus what each class kept.

use core::alloc::{GlobalAlloc, Layout};
use core::arch::wasm32;
use core::cell::UnsafeCell;
use core::ptr::null_mut;

const PAGE: usize = 65_536;
/// Every block is carved at this alignment; a free block holds the next free block's address.
const GRAIN: usize = 8;
/// `SUB` classes per power of two: a request is rounded up by at most 1/`SUB`.
const SUB_BITS: usize = 3;
const SUB: usize = 1 << SUB_BITS;
/// The first power of two split into `SUB` classes: its steps are `GRAIN` bytes.
const K0: usize = SUB_BITS + GRAIN.trailing_zeros() as usize;
/// Requests from this size on are spans (`SPAN_GRAIN` multiples), not classes.
const LARGE: usize = 8_192;
const SPAN_GRAIN: usize = 256;
/// The classes below `LARGE` (2^13): `GRAIN` steps to 64 B, then `SUB` per power of two.
const CLASSES: usize = SUB + SUB * (13 - K0);
/// Spans up to 1 GiB (wasm32 memory is at most 4 GiB; larger requests fail).
const MAX_SPAN: usize = 1 << 30;

struct State {
    /// The head of each class's free list.
    free: [*mut u8; CLASSES],
    /// The first free span (lowest address); each holds a [`Span`] header.
    spans: *mut Span,
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
            spans: null_mut(),
            next: 0,
            end: 0,
        }))
    }
}

/// A free span's header, in its first bytes.
struct Span {
    next: *mut Span,
    size: usize,
}

/// A layout's size as the allocator keeps it (at least its alignment).
fn size_of(layout: &Layout) -> usize {
    layout.size().max(layout.align()).max(1)
}

/// A large request's span size.
fn span_size(size: usize) -> usize {
    size.div_ceil(SPAN_GRAIN) * SPAN_GRAIN
}

/// The class of a layout: multiples of `GRAIN` up to `SUB` of them, then for each power of two
/// 2^k, `SUB` steps of 2^k / `SUB` up to 2^(k+1).
fn class(layout: &Layout) -> usize {
    let size = size_of(layout);
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

    /// A span of `size` bytes (a `SPAN_GRAIN` multiple): the first free one that fits,
    /// split, or a fresh one.
    unsafe fn take_span(&mut self, size: usize, align: usize) -> *mut u8 {
        let mut link: *mut *mut Span = &mut self.spans;
        while !(*link).is_null() {
            let span = *link;
            let have = (*span).size;
            if have >= size && (span as usize) % align == 0 {
                if have == size {
                    *link = (*span).next;
                } else {
                    // The rest stays free where it is, in the same place in the order.
                    let rest = (span as *mut u8).add(size) as *mut Span;
                    (*rest).next = (*span).next;
                    (*rest).size = have - size;
                    *link = rest;
                }
                return span as *mut u8;
            }
            link = &mut (*span).next;
        }
        self.carve(size, align.max(GRAIN))
    }

    /// Frees a span: into the list in address order, merged with the free spans it touches,
    /// and back to the unused top when it ends there.
    unsafe fn give_span(&mut self, ptr: *mut u8, size: usize) {
        let (start, mut end) = (ptr as usize, ptr as usize + size);
        // `link` is where the span belongs; `prev_link` holds the free span before it.
        let mut link: *mut *mut Span = &mut self.spans;
        let mut prev_link: *mut *mut Span = null_mut();
        while !(*link).is_null() && (*link as usize) < start {
            prev_link = link;
            link = &mut (**link).next;
        }
        let next = *link;
        if !next.is_null() && next as usize == end {
            end += (*next).size;
            *link = (*next).next;
        }
        let (span, link) =
            if !prev_link.is_null() && *prev_link as usize + (**prev_link).size == start {
                (*prev_link, prev_link)
            } else {
                let span = ptr as *mut Span;
                (*span).next = *link;
                *link = span;
                (span, link)
            };
        (*span).size = end - span as usize;
        if end == self.next {
            *link = (*span).next;
            self.next = span as usize;
        }
    }
}

unsafe impl GlobalAlloc for Classes {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let s = &mut *self.0.get();
        let size = size_of(&layout);
        if size >= LARGE {
            return if size > MAX_SPAN {
                null_mut()
            } else {
                s.take_span(span_size(size), layout.align())
            };
        }
        let c = class(&layout);
        let head = s.free[c];
        // A reused block keeps the alignment it was carved with: 8 bytes, more only if its
        // first user asked for more; checked before handing it out.
        if !head.is_null() && (head as usize) % layout.align() == 0 {
            s.free[c] = *(head as *mut *mut u8);
            return head;
        }
        s.carve(class_size(c), layout.align().max(GRAIN))
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        let s = &mut *self.0.get();
        let size = size_of(&layout);
        if size >= LARGE {
            return s.give_span(ptr, span_size(size));
        }
        let c = class(&layout);
        *(ptr as *mut *mut u8) = s.free[c];
        s.free[c] = ptr;
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let new = Layout::from_size_align_unchecked(new_size, layout.align());
        let (old_size, size) = (size_of(&layout), size_of(&new));
        if old_size >= LARGE && (LARGE..=MAX_SPAN).contains(&size) {
            let s = &mut *self.0.get();
            let (have, want) = (span_size(old_size), span_size(size));
            let end = ptr as usize + have;
            if want <= have {
                // Shrunk in place: the tail is freed (dealloc will name the new size).
                if want < have {
                    s.give_span(ptr.add(want), have - want);
                }
                return ptr;
            }
            // A span at the unused top (a vector that keeps doubling) grows in place.
            if end == s.next {
                let more = s.carve(want - have, 1);
                if more as usize == end {
                    return ptr;
                }
                // Memory was grown by someone else in between: the block carved is the top.
                if !more.is_null() {
                    s.next = more as usize;
                }
            }
        } else if old_size < LARGE && size < LARGE && class(&layout) == class(&new) {
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
