package store

import "context"

// Setting returns the value of setting name, storing value first if the
// setting has none: the first instance to start on a database decides it,
// and every later one (on any host) reads what it decided.
func (s *Store) Setting(ctx context.Context, name, value string) (string, error) {
	if _, err := s.exec(ctx, `INSERT INTO settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING`, name, value); err != nil {
		return "", err
	}
	var v string
	err := s.queryRow(ctx, `SELECT value FROM settings WHERE name = ?`, name).Scan(&v)
	return v, err
}

// FactorSecrets lists the factors of a kind whose stored secret does not
// start with prefix: for TOTP, the keys written before they were sealed.
func (s *Store) FactorSecrets(ctx context.Context, kind, prefix string) ([]Factor, error) {
	rows, err := s.query(ctx, `SELECT user_id, secret FROM factors WHERE kind = ? AND secret <> '' AND secret NOT LIKE ?`,
		kind, prefix+"%") // prefix holds no % or _
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Factor
	for rows.Next() {
		f := Factor{Kind: kind}
		if err := rows.Scan(&f.UserID, &f.Secret); err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// ReplaceFactorSecret swaps a factor's stored secret from old to new, if it
// is still old (another instance may have done it meanwhile).
func (s *Store) ReplaceFactorSecret(ctx context.Context, userID, kind, old, new string) error {
	_, err := s.exec(ctx, `UPDATE factors SET secret = ? WHERE user_id = ? AND kind = ? AND secret = ?`, new, userID, kind, old)
	return err
}
