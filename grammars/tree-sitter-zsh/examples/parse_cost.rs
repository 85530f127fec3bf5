//! Time and peak memory of parsing each file with this grammar:
//! `cargo run --release -p tree-sitter-condago-zsh --example parse_cost -- [--bash] FILE…`
//! (or `@LIST`, a file naming one path a line); `--bash` parses with tree-sitter-bash
//! instead, for comparison. Prints the costliest files and the totals,
//! including the throughput in MB/s. The memory is what tree-sitter allocates for the
//! parse (parser, stack, tree, the scanner's state), counted through its allocator hook.

use std::ffi::c_void;
use std::sync::atomic::{AtomicIsize, Ordering};
use std::time::{Duration, Instant};

static LIVE: AtomicIsize = AtomicIsize::new(0);
static PEAK: AtomicIsize = AtomicIsize::new(0);

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

fn block_size(ptr: *mut c_void) -> isize {
    if ptr.is_null() {
        0
    } else {
        // SAFETY: `ptr` is a live block from libc's allocator.
        unsafe { malloc_usable_size(ptr) as isize }
    }
}

fn count(delta: isize) {
    let live = LIVE.fetch_add(delta, Ordering::Relaxed) + delta;
    PEAK.fetch_max(live, Ordering::Relaxed);
}

unsafe extern "C" fn counted_malloc(size: usize) -> *mut c_void {
    // SAFETY: libc's malloc.
    let ptr = unsafe { libc_malloc(size) };
    count(block_size(ptr));
    ptr
}

unsafe extern "C" fn counted_calloc(nmemb: usize, size: usize) -> *mut c_void {
    // SAFETY: libc's calloc.
    let ptr = unsafe { libc_calloc(nmemb, size) };
    count(block_size(ptr));
    ptr
}

unsafe extern "C" fn counted_realloc(old: *mut c_void, size: usize) -> *mut c_void {
    let before = block_size(old);
    // SAFETY: `old` is null or a live libc block.
    let ptr = unsafe { libc_realloc(old, size) };
    if !ptr.is_null() || size == 0 {
        count(block_size(ptr) - before);
    }
    ptr
}

unsafe extern "C" fn counted_free(ptr: *mut c_void) {
    count(-block_size(ptr));
    // SAFETY: `ptr` is null or a live libc block.
    unsafe { libc_free(ptr) }
}

fn main() {
    // SAFETY: installed before any parser or tree exists; libc's malloc family.
    unsafe {
        tree_sitter::set_allocator(Some(tree_sitter::Allocator {
            malloc: counted_malloc,
            calloc: counted_calloc,
            realloc: counted_realloc,
            free: counted_free,
        }));
    }
    let mut paths = Vec::new();
    let mut language: tree_sitter::Language = tree_sitter_condago_zsh::LANGUAGE.into();
    for argument in std::env::args().skip(1) {
        if argument == "--bash" {
            language = tree_sitter_bash::LANGUAGE.into();
            continue;
        }
        match argument.strip_prefix('@') {
            Some(list) => paths.extend(
                std::fs::read_to_string(list)
                    .expect("@LIST is readable")
                    .lines()
                    .map(String::from),
            ),
            None => paths.push(argument),
        }
    }
    let mut parser = tree_sitter::Parser::new();
    parser.set_language(&language).expect("the grammar loads");
    let mut costs = Vec::new();
    let (mut total_bytes, mut total_time) = (0usize, Duration::ZERO);
    for path in &paths {
        let Ok(source) = std::fs::read(path) else {
            continue;
        };
        let mut best = Duration::MAX;
        let mut peak = 0;
        for _ in 0..3 {
            let base = LIVE.load(Ordering::Relaxed);
            PEAK.store(base, Ordering::Relaxed);
            let start = Instant::now();
            let tree = parser.parse(&source, None);
            best = best.min(start.elapsed());
            peak = PEAK.load(Ordering::Relaxed) - base;
            drop(tree);
        }
        total_bytes += source.len();
        total_time += best;
        costs.push((best, peak, source.len(), path));
    }
    costs.sort_by_key(|cost| std::cmp::Reverse(cost.0));
    for (time, peak, bytes, path) in costs.iter().take(5) {
        println!(
            "{:8.2} ms {:7.2} MB {bytes:>8} bytes  {path}",
            time.as_secs_f64() * 1e3,
            *peak as f64 / 1e6
        );
    }
    let most_memory = costs.iter().map(|c| c.1).max().unwrap_or(0);
    println!(
        "files: {}, {:.2} MB in {:.1} ms: {:.1} MB/s; slowest {:.2} ms; most memory {:.2} MB",
        costs.len(),
        total_bytes as f64 / 1e6,
        total_time.as_secs_f64() * 1e3,
        total_bytes as f64 / 1e6 / total_time.as_secs_f64(),
        costs.first().map_or(0.0, |c| c.0.as_secs_f64() * 1e3),
        most_memory as f64 / 1e6
    );
}
