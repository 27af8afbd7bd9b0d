package store

import (
	"context"
	"time"
)

// Message is one e-mail or SMS in the dev outbox.
type Message struct {
	ID      string
	Channel string // "email" or "sms"
	To      string
	Subject string
	Body    string
	SentAt  time.Time
}

// AddMessage appends m to the outbox.
func (s *Store) AddMessage(ctx context.Context, m Message) error {
	_, err := s.exec(ctx, `INSERT INTO outbox (seq, id, channel, to_addr, subject, body, sent_at)
		SELECT COALESCE(MAX(seq), 0) + 1, ?, ?, ?, ?, ?, ? FROM outbox`,
		m.ID, m.Channel, m.To, m.Subject, m.Body, ms(m.SentAt))
	return err
}

// Messages lists the outbox, oldest first; to, when not empty, keeps only
// the messages to that address or number.
func (s *Store) Messages(ctx context.Context, to string) ([]Message, error) {
	q := `SELECT id, channel, to_addr, subject, body, sent_at FROM outbox`
	var args []any
	if to != "" {
		q += ` WHERE to_addr = ?`
		args = append(args, to)
	}
	q += ` ORDER BY seq, sent_at, id`
	rows, err := s.queryOn(ctx, false, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Message{}
	for rows.Next() {
		var m Message
		var sent int64
		if err := rows.Scan(&m.ID, &m.Channel, &m.To, &m.Subject, &m.Body, &sent); err != nil {
			return nil, err
		}
		m.SentAt = tm(sent)
		out = append(out, m)
	}
	return out, rows.Err()
}
