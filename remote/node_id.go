package remote

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
)

// MaxNodeIDLen is the longest node id accepted by [WithNodeID], in bytes.
const MaxNodeIDLen = 64

// newNodeID returns a random node id of 16 hex digits.
func newNodeID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// checkNodeID validates a node id: 1 to [MaxNodeIDLen] bytes of ASCII
// letters, digits, '-' and '_' (valid as a NATS subject token and a KV
// key).
func checkNodeID(id string) error {
	if id == "" || len(id) > MaxNodeIDLen {
		return fmt.Errorf("%w: node id %q must have 1 to %d bytes", ErrInvalidName, id, MaxNodeIDLen)
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return fmt.Errorf("%w: node id %q has %q", ErrInvalidName, id, c)
		}
	}
	return nil
}
