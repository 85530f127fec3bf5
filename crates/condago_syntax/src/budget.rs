//! The time and memory budget of one parse.
//!
//! Time is checked from tree-sitter's progress callback. Memory is counted by an allocator
//! installed into tree-sitter (and, through `TREE_SITTER_REUSE_ALLOCATOR`, into the grammars'
//! scanners): each thread counts the bytes it holds, so a parse's growth is the change in its
//! own thread's count, even with files parsed on several threads at once.

use std::cell::Cell;
use std::time::{Duration, Instant};

use crate::{Grammar, ParseProblem};

/// Limits for one parse.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    /// Wall time for one grammar's attempt; files over 1 MB get this much per started MB
    /// (tree-sitter parses 5–10 MB/s, so a 5 MB file needs about a second).
    pub time: Duration,
    /// Bytes the parser may hold at once, beyond what it held when the parse started; large
    /// files get 48 bytes of parser memory per byte of text when that is more.
    pub memory: usize,
    /// Files larger than this are not parsed at all.
    pub max_file_bytes: usize,
    /// Wall time for all of one file's parsing, fallbacks included: however large or
    /// pathological the file, its parse ends within this (and its lint soon after).
    pub total_time: Duration,
}

impl Default for Budget {
    fn default() -> Self {
        Budget {
            time: Duration::from_millis(1000),
            // Startup files need a few MB (each Debian corpus file the zsh grammar can parse
            // at all needs less than 16 MB); runaway grammars grow at about 500 MB/s, so this
            // cap ends them in about 30 ms.
            memory: 16 * 1024 * 1024,
            max_file_bytes: 16 * 1024 * 1024,
            // Leaves room for the rules within the 2 s a file may take.
            total_time: Duration::from_millis(1500),
        }
    }
}

/// Watches one parse against its budget.
pub(crate) struct Guard {
    started: Instant,
    bytes_at_start: isize,
    budget: Budget,
}

impl Guard {
    pub(crate) fn start(budget: &Budget, source_len: usize) -> Self {
        let mut budget = *budget;
        budget.memory = budget.memory.max(source_len.saturating_mul(48));
        let megabytes = u32::try_from(source_len.div_ceil(1024 * 1024)).unwrap_or(u32::MAX);
        budget.time = budget
            .time
            .saturating_mul(megabytes.max(1))
            .min(budget.total_time);
        Guard {
            started: Instant::now(),
            bytes_at_start: thread_bytes(),
            budget,
        }
    }

    pub(crate) fn elapsed(&self) -> Duration {
        self.started.elapsed()
    }

    /// The problem to stop the parse with, if it is over budget.
    pub(crate) fn check(&mut self, grammar: Grammar) -> Option<ParseProblem> {
        let grown = thread_bytes().saturating_sub(self.bytes_at_start);
        if grown > 0 && grown as usize > self.budget.memory {
            return Some(ParseProblem::OutOfMemory {
                grammar,
                bytes: self.budget.memory,
            });
        }
        let elapsed = self.started.elapsed();
        (elapsed > self.budget.time).then_some(ParseProblem::TimedOut {
            grammar,
            after: elapsed,
        })
    }
}

thread_local! {
    static THREAD_BYTES: Cell<isize> = const { Cell::new(0) };
    /// The most `THREAD_BYTES` has been since [`peak_parser_memory`] last reset it.
    static THREAD_PEAK: Cell<isize> = const { Cell::new(0) };
}

fn thread_bytes() -> isize {
    THREAD_BYTES.try_with(Cell::get).unwrap_or(0)
}

fn add_thread_bytes(delta: isize) {
    // During thread teardown the counters may be gone; the count no longer matters then.
    let _ = THREAD_BYTES.try_with(|bytes| {
        let now = bytes.get().wrapping_add(delta);
        bytes.set(now);
        if delta > 0 {
            let _ = THREAD_PEAK.try_with(|peak| peak.set(peak.get().max(now)));
        }
    });
}

/// Runs `work` (parsing) and returns its result with the most memory tree-sitter held at
/// once on this thread meanwhile, beyond what it held before: what the budget's memory
/// limit is compared with. For measurements (`--example parse_files`).
pub fn peak_parser_memory<T>(work: impl FnOnce() -> T) -> (T, usize) {
    install_counting_allocator();
    let before = thread_bytes();
    let _ = THREAD_PEAK.try_with(|peak| peak.set(before));
    let result = work();
    let peak = THREAD_PEAK.try_with(Cell::get).unwrap_or(before);
    (result, usize::try_from(peak - before).unwrap_or(0))
}

/// Installs the counting allocator into tree-sitter, once, before any tree-sitter object
/// exists. The functions wrap libc's own, so memory allocated before (or freed after) by
/// plain libc is still handled correctly.
pub(crate) fn install_counting_allocator() {
    static INSTALL: std::sync::Once = std::sync::Once::new();
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    INSTALL.call_once(|| {
        // SAFETY: runs once, before this crate creates any parser, tree or query (every
        // path to a `Language` goes through here first), and the four functions are libc's
        // malloc family with libc's alignment.
        unsafe {
            tree_sitter::set_allocator(Some(tree_sitter::Allocator {
                malloc: counting::malloc,
                calloc: counting::calloc,
                realloc: counting::realloc,
                free: counting::free,
            }))
        }
    });
    #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
    INSTALL.call_once(|| {});
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
mod counting {
    use std::ffi::c_void;

    extern "C" {
        #[link_name = "malloc"]
        fn libc_malloc(size: usize) -> *mut c_void;
        #[link_name = "calloc"]
        fn libc_calloc(nmemb: usize, size: usize) -> *mut c_void;
        #[link_name = "realloc"]
        fn libc_realloc(ptr: *mut c_void, size: usize) -> *mut c_void;
        #[link_name = "free"]
        fn libc_free(ptr: *mut c_void);
        fn malloc_usable_size(ptr: *mut c_void) -> usize;
    }

    fn size_of_block(ptr: *mut c_void) -> isize {
        if ptr.is_null() {
            0
        } else {
            // SAFETY: `ptr` came from libc's allocator and is live.
            unsafe { malloc_usable_size(ptr) as isize }
        }
    }

    pub(super) unsafe extern "C" fn malloc(size: usize) -> *mut c_void {
        // SAFETY: plain libc call.
        let ptr = unsafe { libc_malloc(size) };
        super::add_thread_bytes(size_of_block(ptr));
        ptr
    }

    pub(super) unsafe extern "C" fn calloc(nmemb: usize, size: usize) -> *mut c_void {
        // SAFETY: plain libc call.
        let ptr = unsafe { libc_calloc(nmemb, size) };
        super::add_thread_bytes(size_of_block(ptr));
        ptr
    }

    pub(super) unsafe extern "C" fn realloc(old: *mut c_void, size: usize) -> *mut c_void {
        let before = size_of_block(old);
        // SAFETY: `old` is null or a live libc block, as tree-sitter's contract says.
        let ptr = unsafe { libc_realloc(old, size) };
        if !ptr.is_null() || size == 0 {
            super::add_thread_bytes(size_of_block(ptr) - before);
        }
        ptr
    }

    pub(super) unsafe extern "C" fn free(ptr: *mut c_void) {
        super::add_thread_bytes(-size_of_block(ptr));
        // SAFETY: `ptr` is null or a live libc block.
        unsafe { libc_free(ptr) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn large_files_get_time_and_memory_in_proportion() {
        let budget = Budget::default();
        let small = Guard::start(&budget, 300 * 1024);
        assert_eq!(small.budget.time, budget.time);
        assert_eq!(small.budget.memory, budget.memory);
        // A 5 MB generated startup file takes tree-sitter about a second to parse.
        let unbounded = Budget {
            total_time: Duration::MAX,
            ..budget
        };
        let large = Guard::start(&unbounded, 5 * 1024 * 1024);
        assert_eq!(large.budget.time, budget.time * 5);
        // …but never past the file's total.
        let capped = Guard::start(&budget, 5 * 1024 * 1024);
        assert_eq!(capped.budget.time, budget.total_time);
        assert_eq!(large.budget.memory, 5 * 1024 * 1024 * 48);
    }
}
