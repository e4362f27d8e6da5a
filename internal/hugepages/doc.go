// Package hugepages asks Linux to back a process's large anonymous
// mappings, the Go heap among them, with transparent huge pages.
//
// discoveryd keeps a million store records, their snapshots and the geo
// index in about a gigabyte of heap, and every phone query reads a few
// hundred cache lines spread over it. With 4 KiB pages almost each of those
// reads also misses the TLB, and the page walk itself misses the cache;
// with 2 MiB pages the whole catalog fits the TLB. The Go runtime does not
// ask for huge pages for the heap, and most distributions set
// /sys/kernel/mm/transparent_hugepage/enabled to "madvise", so without this
// the heap gets none. Advise marks the mappings (MADV_HUGEPAGE) and
// collapses what is already in memory (MADV_COLLAPSE, Linux 6.1 and
// later); it is meant to run once, after the catalog is loaded.
//
// Huge pages trade memory for speed: a 2 MiB page is resident as a whole,
// so a sparsely used region costs more. The catalog is dense and lives as
// long as the process, which is the case they suit. On other systems, or
// when the kernel's setting is "never", Advise does nothing.
package hugepages
