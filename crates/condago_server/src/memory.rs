//! Giving freed memory back to the system.

/// Returns the heap's free memory to the system. glibc keeps what a program frees for
/// later, so the memory of dropped syntax trees would otherwise stay resident.
pub fn give_back() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        extern "C" {
            fn malloc_trim(pad: usize) -> std::ffi::c_int;
        }
        // SAFETY: glibc's malloc_trim only releases free pages of its own heaps; it takes
        // the allocator's locks itself and touches no memory the program owns.
        unsafe {
            malloc_trim(0);
        }
    }
}
