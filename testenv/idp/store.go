package idp

import (
	"context"
	"sync"

	"github.com/ory/fosite"
	"github.com/ory/fosite/storage"
)

// store is fosite's MemoryStore with a client registry of its own, so clients can be added while
// the server runs (MemoryStore's client map has no exported lock).
type store struct {
	*storage.MemoryStore
	mu      sync.RWMutex
	clients map[string]*client
}

func newStore() *store {
	return &store{MemoryStore: storage.NewMemoryStore(), clients: map[string]*client{}}
}

// GetClient implements fosite.ClientManager.
func (s *store) GetClient(_ context.Context, id string) (fosite.Client, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	c, ok := s.clients[id]
	if !ok {
		return nil, fosite.ErrNotFound
	}
	return c, nil
}

func (s *store) putClient(c *client) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.clients[c.GetID()] = c
}
