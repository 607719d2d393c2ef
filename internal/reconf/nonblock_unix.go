//go:build unix

package reconf

import "syscall"

// nonBlock opens a file without waiting for a writer: a path swapped for
// a FIFO after its check must not hang the open.
const nonBlock = syscall.O_NONBLOCK
