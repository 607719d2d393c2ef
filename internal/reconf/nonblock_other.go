//go:build !unix

package reconf

const nonBlock = 0
