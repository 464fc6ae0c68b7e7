package table

// ReplyOf decodes a member's reply to a request of another node, as
// tests that send raw requests read it.
func ReplyOf(data []byte) (code uint8, text string, err error) {
	var r reply[int]
	err = decodeReply(data, &r)
	return r.Code, r.Err, err
}
