package shared

// Peek returns the value published under key, read straight from shared data:
// no Slot is created, the state record is not read, nothing is written and no
// lease is taken. It is for callers with many keys that look a value up on
// every request (the introspection cache) and create a Slot only when they
// must fetch. ok is false when the key is missing, unreadable, corrupt or has
// no published version yet. The Value's Payload is the caller's copy.
func Peek(h Host, key string) (v Value, ok bool) {
	b, _, err := h.GetSharedData(key)
	if err != nil {
		return Value{}, false
	}
	rec, err := decodeValue(b)
	if err != nil || rec.version == 0 {
		return Value{}, false
	}
	return Value{Version: rec.version, Payload: rec.payload, FetchedAt: rec.fetchedAt,
		FreshUntil: rec.freshUntil, UsableUntil: rec.usableUntil}, true
}
