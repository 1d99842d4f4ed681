package bolt

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/marketplace/helpcentre/domain"
)

var _ domain.AccessService = (*AccessService)(nil)

// AccessService stores users, shops, API tokens and grants.
//
// Tokens are kept as the SHA-256 of their secret: the secrets are 32 random
// bytes, so a fast hash is enough (no dictionary to attack), and a stolen
// file yields no usable token.
type AccessService struct {
	db *DB
}

// NewAccessService returns an AccessService on db.
func NewAccessService(db *DB) *AccessService { return &AccessService{db: db} }

// tokenRecord is a token as stored.
type tokenRecord struct {
	ID        string     `json:"id"`
	UserID    string     `json:"user_id"`
	Label     string     `json:"label,omitempty"`
	CreatedAt time.Time  `json:"created_at"`
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
	RevokedAt *time.Time `json:"revoked_at,omitempty"`
	Session   bool       `json:"session,omitempty"`
}

func (r *tokenRecord) token() *domain.Token {
	return &domain.Token{ID: r.ID, UserID: r.UserID, Label: r.Label, CreatedAt: r.CreatedAt, ExpiresAt: r.ExpiresAt, RevokedAt: r.RevokedAt, Session: r.Session}
}

func hashToken(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}

// Authenticate implements domain.AccessService.
func (s *AccessService) Authenticate(ctx context.Context, secret string) (domain.Actor, error) {
	return s.authenticate(ctx, secret, false)
}

// AuthenticateSession implements domain.AccessService.
func (s *AccessService) AuthenticateSession(ctx context.Context, secret string) (domain.Actor, error) {
	return s.authenticate(ctx, secret, true)
}

func (s *AccessService) authenticate(ctx context.Context, secret string, session bool) (domain.Actor, error) {
	if err := domain.CheckTokenSecret(secret); err != nil {
		return domain.Actor{}, err
	}
	var a domain.Actor
	err := s.db.view(ctx, func(t *txn) error {
		var rec tokenRecord
		ok, err := getJSON(t.tx.Bucket(bucketTokens), hashToken(secret), &rec)
		if err != nil {
			return err
		}
		if !ok {
			return domain.ErrTokenRejected()
		}
		u, err := findUser(t, rec.UserID)
		if err != nil {
			return err
		}
		if err := domain.CheckTokenUse(rec.token(), u, t.now, session); err != nil {
			return err
		}
		a = domain.Actor{UserID: u.ID, Name: u.Name, Role: u.Role, ShopID: u.ShopID, Locale: u.Locale, TokenID: rec.ID}
		if u.Role == domain.RoleAgent {
			a.Grants, err = grantsOf(t, u.ID)
		}
		return err
	})
	return a, err
}

// PasswordCost is bcrypt's work factor: ~50 ms a check on this machine's
// cores, which bounds guessing without making sign-in slow.
const PasswordCost = 10

// Login implements domain.AccessService. The attempt is counted in its own
// transaction before bcrypt runs (domain.StartLogin), and cleared after a
// success, so that the count holds across addresses, parallel requests and
// restarts.
func (s *AccessService) Login(ctx context.Context, name, password string) (domain.Actor, error) {
	name = domain.NormalizeLoginName(name)
	var u *domain.User
	var hash []byte
	err := s.db.update(ctx, func(t *txn) error {
		if err := startLogin(t, name); err != nil {
			return err
		}
		var err error
		if u, err = findUserByName(t, name); err != nil || u == nil {
			return err
		}
		hash = bytes.Clone(t.tx.Bucket(bucketPasswords).Get([]byte(u.ID)))
		return nil
	})
	if err != nil {
		return domain.Actor{}, err
	}
	if hash == nil {
		bcrypt.CompareHashAndPassword(s.db.dummyHash(), []byte(password)) // a wrong name costs as long as a wrong password
		return domain.Actor{}, domain.ErrBadCredentials()
	}
	if bcrypt.CompareHashAndPassword(hash, []byte(password)) != nil || u.Disabled {
		return domain.Actor{}, domain.ErrBadCredentials()
	}
	a := domain.Actor{UserID: u.ID, Name: u.Name, Role: u.Role, ShopID: u.ShopID, Locale: u.Locale}
	err = s.db.update(ctx, func(t *txn) error {
		if err := t.tx.Bucket(bucketLoginAttempts).Delete(loginKey(name)); err != nil {
			return err
		}
		if u.Role == domain.RoleAgent {
			a.Grants, err = grantsOf(t, u.ID)
		}
		return err
	})
	return a, err
}

// loginKey is the attempts' key of a name: names longer than a handle are
// cut, so that the bucket's keys stay small whatever is typed.
func loginKey(name string) []byte {
	return []byte(name[:min(len(name), 64)])
}

// startLogin counts an attempt at name (domain.StartLogin).
func startLogin(t *txn, name string) error {
	b := t.tx.Bucket(bucketLoginAttempts)
	var att domain.LoginAttempts
	if _, err := getJSON(b, loginKey(name), &att); err != nil {
		return err
	}
	next, err := domain.StartLogin(att, t.now)
	if err != nil {
		return err
	}
	return putJSON(b, loginKey(name), next)
}

// SetPassword implements domain.AccessService.
func (s *AccessService) SetPassword(ctx context.Context, userID, current, password string) error {
	a := domain.ActorFrom(ctx)
	if err := domain.RequireSignedIn(a); err != nil {
		return err
	}
	if !domain.CanActForUser(a, userID) {
		return domain.ErrNotFound("User")
	}
	return s.setPassword(ctx, a, userID, current, password)
}

// ResetPassword implements domain.AccessService.
func (s *AccessService) ResetPassword(ctx context.Context, userID, password string) error {
	a := domain.ActorFrom(ctx)
	if err := domain.RequireAdmin(a); err != nil {
		return err
	}
	// An admin resetting their own goes through SetPassword's rules.
	return s.setPassword(ctx, domain.Actor{UserID: a.UserID, Name: a.Name, Role: a.Role}, userID, "", password)
}

func (s *AccessService) setPassword(ctx context.Context, a domain.Actor, userID, current, password string) error {
	if err := domain.ValidatePasswordBy(a, password); err != nil {
		return err
	}
	var old []byte
	err := s.db.view(ctx, func(t *txn) error {
		if u, err := findUser(t, userID); err != nil || u == nil {
			if err == nil {
				err = domain.ErrNotFound("User")
			}
			return err
		}
		old = bytes.Clone(t.tx.Bucket(bucketPasswords).Get([]byte(userID)))
		return nil
	})
	if err != nil {
		return err
	}
	if domain.NeedsCurrentPassword(a, userID, old != nil) && bcrypt.CompareHashAndPassword(old, []byte(current)) != nil {
		return domain.ErrWrongCurrentPassword()
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(password), s.db.passwordCost)
	if err != nil {
		return err
	}
	return s.db.update(ctx, func(t *txn) error {
		if err := t.tx.Bucket(bucketPasswords).Put([]byte(userID), hash); err != nil {
			return err
		}
		n, err := revokeUserTokens(t, userID, func(tok *domain.Token) bool { return domain.RevokeOnPasswordChange(a, userID, tok) })
		if err != nil {
			return err
		}
		return t.audit("user:"+userID, "password.set", "", map[string]any{"tokens_revoked": n})
	})
}

// revokeUserTokens revokes the tokens of userID that revoke picks, and
// returns how many.
func revokeUserTokens(t *txn, userID string, revoke func(*domain.Token) bool) (int, error) {
	n := 0
	prefix := compositeKey([]byte(userID), nil)
	c := t.tx.Bucket(bucketTokensByUser).Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		h := bytes.Clone(t.tx.Bucket(bucketTokensByID).Get(k[len(prefix):]))
		var rec tokenRecord
		if ok, err := getJSON(t.tx.Bucket(bucketTokens), h, &rec); err != nil {
			return n, err
		} else if !ok || !revoke(rec.token()) {
			continue
		}
		now := t.now
		rec.RevokedAt = &now
		if err := putJSON(t.tx.Bucket(bucketTokens), h, rec); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// SetUserDisabled implements domain.AccessService.
func (s *AccessService) SetUserDisabled(ctx context.Context, userID string, disabled bool) (*domain.User, error) {
	a := domain.ActorFrom(ctx)
	if err := domain.RequireAdmin(a); err != nil {
		return nil, err
	}
	var u *domain.User
	err := s.db.update(ctx, func(t *txn) error {
		var err error
		if u, err = findUser(t, userID); err != nil {
			return err
		}
		if u == nil {
			return domain.ErrNotFound("User")
		}
		if err := domain.CheckDisableUser(a, u); err != nil {
			return err
		}
		u.Disabled = disabled
		if err := putJSON(t.tx.Bucket(bucketUsers), []byte(u.ID), u); err != nil {
			return err
		}
		if !disabled {
			return t.audit("user:"+u.ID, "user.enabled", "", nil)
		}
		n, err := revokeUserTokens(t, u.ID, func(tok *domain.Token) bool { return tok.RevokedAt == nil })
		if err != nil {
			return err
		}
		return t.audit("user:"+u.ID, "user.disabled", "", map[string]any{"tokens_revoked": n})
	})
	return u, err
}

// findUser reads a user by id, or nil.
func findUser(t *txn, id string) (*domain.User, error) {
	var u domain.User
	ok, err := getJSON(t.tx.Bucket(bucketUsers), []byte(id), &u)
	if !ok || err != nil {
		return nil, err
	}
	return &u, nil
}

// findUserByName reads a user by login name, or nil.
func findUserByName(t *txn, name string) (*domain.User, error) {
	id := t.tx.Bucket(bucketUsersByName).Get([]byte(name))
	if id == nil {
		return nil, nil
	}
	return findUser(t, string(id))
}

// shopUsers returns the ids of a shop's seller users, to notify them.
func shopUsers(t *txn, shopID string) []string {
	var ids []string
	prefix := compositeKey([]byte(shopID), nil)
	c := t.tx.Bucket(bucketShopUsers).Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		ids = append(ids, string(k[len(prefix):]))
	}
	return ids
}

func grantsOf(t *txn, agentID string) ([]domain.Grant, error) {
	var out []domain.Grant
	prefix := compositeKey([]byte(agentID), nil)
	c := t.tx.Bucket(bucketGrants).Cursor()
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		var g domain.Grant
		if err := decodeJSON(v, &g); err != nil {
			return nil, fmt.Errorf("bolt: decode grant %q: %w", k, err)
		}
		out = append(out, g)
	}
	return out, nil
}

// CreateUser implements domain.AccessService (admins only).
func (s *AccessService) CreateUser(ctx context.Context, u *domain.User) error {
	if err := domain.RequireAdmin(domain.ActorFrom(ctx)); err != nil {
		return err
	}
	nu := *u
	if err := nu.Validate(); err != nil {
		return err
	}
	err := s.db.update(ctx, func(t *txn) error {
		if id := t.tx.Bucket(bucketUsersByName).Get([]byte(nu.Name)); id != nil {
			return domain.ErrUserExists(nu.Name)
		}
		if err := domain.CheckUserShop(&nu, nu.ShopID != "" && t.tx.Bucket(bucketShops).Get([]byte(nu.ShopID)) != nil); err != nil {
			return err
		}
		id, err := t.newID()
		if err != nil {
			return err
		}
		nu.ID, nu.CreatedAt = id, t.now
		if nu.Display == "" {
			nu.Display = nu.Name
		}
		if err := putJSON(t.tx.Bucket(bucketUsers), []byte(id), nu); err != nil {
			return err
		}
		if err := t.tx.Bucket(bucketUsersByName).Put([]byte(nu.Name), []byte(id)); err != nil {
			return err
		}
		if nu.Role == domain.RoleSeller {
			if err := t.tx.Bucket(bucketShopUsers).Put(compositeKey([]byte(nu.ShopID), []byte(id)), nil); err != nil {
				return err
			}
		}
		return t.audit("user:"+id, "user.created", "", map[string]any{"name": nu.Name, "role": nu.Role})
	})
	if err != nil {
		return err
	}
	*u = nu
	return nil
}

// FindUser implements domain.AccessService: users see themselves; operators
// see everyone.
func (s *AccessService) FindUser(ctx context.Context, id string) (*domain.User, error) {
	return s.findUser(ctx, func(t *txn) (*domain.User, error) { return findUser(t, id) })
}

// FindUserByName implements domain.AccessService.
func (s *AccessService) FindUserByName(ctx context.Context, name string) (*domain.User, error) {
	return s.findUser(ctx, func(t *txn) (*domain.User, error) { return findUserByName(t, name) })
}

func (s *AccessService) findUser(ctx context.Context, find func(t *txn) (*domain.User, error)) (*domain.User, error) {
	a := domain.ActorFrom(ctx)
	if err := domain.RequireSignedIn(a); err != nil {
		return nil, err
	}
	var u *domain.User
	err := s.db.view(ctx, func(t *txn) error {
		var err error
		u, err = find(t)
		if err != nil {
			return err
		}
		if u == nil || !domain.CanSeeUser(a, u) {
			return domain.ErrNotFound("User")
		}
		return nil
	})
	return u, err
}

// ListUsers implements domain.AccessService (operators; role "" lists all).
func (s *AccessService) ListUsers(ctx context.Context, role domain.Role) ([]domain.User, error) {
	if err := domain.RequireOperator(domain.ActorFrom(ctx)); err != nil {
		return nil, err
	}
	out := []domain.User{}
	err := s.db.view(ctx, func(t *txn) error {
		// Users are few next to threads and orders; the name index gives a
		// stable order.
		return t.tx.Bucket(bucketUsersByName).ForEach(func(_, id []byte) error {
			u, err := findUser(t, string(id))
			if err != nil || u == nil {
				return err
			}
			if role == "" || u.Role == role {
				out = append(out, *u)
			}
			return nil
		})
	})
	return out, err
}

// PutShop implements domain.AccessService (admins only).
func (s *AccessService) PutShop(ctx context.Context, sh *domain.Shop) error {
	if err := domain.RequireAdmin(domain.ActorFrom(ctx)); err != nil {
		return err
	}
	ns := *sh
	if err := ns.Validate(); err != nil {
		return err
	}
	err := s.db.update(ctx, func(t *txn) error {
		var prev domain.Shop
		ok, err := getJSON(t.tx.Bucket(bucketShops), []byte(ns.ID), &prev)
		if err != nil {
			return err
		}
		ns.CreatedAt = t.now
		if ok {
			ns.CreatedAt = prev.CreatedAt
		}
		if err := putJSON(t.tx.Bucket(bucketShops), []byte(ns.ID), ns); err != nil {
			return err
		}
		return t.audit("shop:"+ns.ID, "shop.saved", "", map[string]any{"name": ns.Name})
	})
	if err != nil {
		return err
	}
	*sh = ns
	return nil
}

// FindShop implements domain.AccessService: operators and the shop's own
// sellers.
func (s *AccessService) FindShop(ctx context.Context, id string) (*domain.Shop, error) {
	a := domain.ActorFrom(ctx)
	if err := domain.RequireSignedIn(a); err != nil {
		return nil, err
	}
	var sh domain.Shop
	err := s.db.view(ctx, func(t *txn) error {
		ok, err := getJSON(t.tx.Bucket(bucketShops), []byte(id), &sh)
		if err != nil {
			return err
		}
		if !ok || !domain.CanSeeShop(a, id) {
			return domain.ErrNotFound("Shop")
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &sh, nil
}

// ShopNames implements domain.AccessService.
func (s *AccessService) ShopNames(ctx context.Context) (map[string]string, error) {
	if err := domain.RequireSignedIn(domain.ActorFrom(ctx)); err != nil {
		return nil, err
	}
	out := map[string]string{}
	err := s.db.view(ctx, func(t *txn) error {
		return t.tx.Bucket(bucketShops).ForEach(func(k, v []byte) error {
			var sh domain.Shop
			if err := decodeJSON(v, &sh); err != nil {
				return fmt.Errorf("bolt: decode shop %q: %w", k, err)
			}
			out[sh.ID] = sh.Name
			return nil
		})
	})
	return out, err
}

// CreateToken implements domain.AccessService: admins for anyone, a user for
// themself.
func (s *AccessService) CreateToken(ctx context.Context, userID, label string, ttl time.Duration) (*domain.Token, error) {
	if err := domain.CanMintToken(domain.ActorFrom(ctx), userID); err != nil {
		return nil, err
	}
	ttl, err := domain.TokenTTL(ttl)
	if err != nil {
		return nil, err
	}
	if err := domain.ValidateTokenLabel(label); err != nil {
		return nil, err
	}
	var raw [32]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return nil, err
	}
	secret := "hc_" + base64.RawURLEncoding.EncodeToString(raw[:])
	return s.putToken(ctx, userID, label, secret, ttl, nil, false, true)
}

// CreateSession implements domain.AccessService.
func (s *AccessService) CreateSession(ctx context.Context, ttl time.Duration) (*domain.Token, error) {
	a := domain.ActorFrom(ctx)
	if err := domain.RequireSignedIn(a); err != nil {
		return nil, err
	}
	ttl, err := domain.TokenTTL(ttl)
	if err != nil {
		return nil, err
	}
	var raw [32]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return nil, err
	}
	return s.putToken(ctx, a.UserID, domain.SessionTokenLabel, "hs_"+base64.RawURLEncoding.EncodeToString(raw[:]), ttl, nil, true, false)
}

// PutTokenSecret implements domain.AccessService. It is idempotent: a secret
// already stored for the user is returned as is. Only the program itself
// calls it (the bootstrap admin, demo mode); the API never does.
func (s *AccessService) PutTokenSecret(ctx context.Context, userID, label, secret string, expires *time.Time) (*domain.Token, error) {
	if err := domain.ValidateTokenSecret(label, secret); err != nil {
		return nil, err
	}
	return s.putToken(ctx, userID, label, secret, 0, expires, false, false)
}

// putToken stores a token: a browser session's (session) or an API token;
// minted (CreateToken) counts the user's live API tokens against
// domain.MaxTokensPerUser first.
func (s *AccessService) putToken(ctx context.Context, userID, label, secret string, ttl time.Duration, expires *time.Time, session, minted bool) (*domain.Token, error) {
	var tok *domain.Token
	err := s.db.update(ctx, func(t *txn) error {
		u, err := findUser(t, userID)
		if err != nil {
			return err
		}
		if u == nil {
			return domain.ErrNotFound("User")
		}
		if minted {
			if err := domain.CheckTokenCount(liveTokens(t, userID)); err != nil {
				return err
			}
		}
		h := hashToken(secret)
		var rec tokenRecord
		if ok, err := getJSON(t.tx.Bucket(bucketTokens), h, &rec); err != nil {
			return err
		} else if ok {
			if rec.UserID != userID {
				return domain.ErrTokenTaken()
			}
			if rec.RevokedAt == nil {
				tok = rec.token()
				return nil
			}
			// A revoked chosen secret stored again is a new token: the
			// old one's indexes go.
			if err := t.tx.Bucket(bucketTokensByID).Delete([]byte(rec.ID)); err != nil {
				return err
			}
			if err := t.tx.Bucket(bucketTokensByUser).Delete(compositeKey([]byte(userID), []byte(rec.ID))); err != nil {
				return err
			}
		}
		id, err := t.newID()
		if err != nil {
			return err
		}
		rec = tokenRecord{ID: id, UserID: userID, Label: label, CreatedAt: t.now, ExpiresAt: expires, Session: session}
		if ttl > 0 {
			e := t.now.Add(ttl)
			rec.ExpiresAt = &e
		}
		if err := putJSON(t.tx.Bucket(bucketTokens), h, rec); err != nil {
			return err
		}
		if err := t.tx.Bucket(bucketTokensByID).Put([]byte(id), h); err != nil {
			return err
		}
		if err := t.tx.Bucket(bucketTokensByUser).Put(compositeKey([]byte(userID), []byte(id)), nil); err != nil {
			return err
		}
		tok = rec.token()
		return t.audit("user:"+userID, "token.created", label, map[string]any{"token_id": id})
	})
	if err != nil {
		return nil, err
	}
	tok.Secret = secret
	return tok, nil
}

// ListTokens implements domain.AccessService: a user's tokens, without their
// secrets (admins: anyone's; others: their own).
func (s *AccessService) ListTokens(ctx context.Context, userID string) ([]domain.Token, error) {
	a := domain.ActorFrom(ctx)
	if err := domain.RequireSignedIn(a); err != nil {
		return nil, err
	}
	if !domain.CanActForUser(a, userID) {
		return nil, domain.ErrNotFound("User")
	}
	out := []domain.Token{}
	err := s.db.view(ctx, func(t *txn) error {
		prefix := compositeKey([]byte(userID), nil)
		c := t.tx.Bucket(bucketTokensByUser).Cursor()
		for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
			h := t.tx.Bucket(bucketTokensByID).Get(k[len(prefix):])
			var rec tokenRecord
			if ok, err := getJSON(t.tx.Bucket(bucketTokens), h, &rec); err != nil || !ok {
				return err
			}
			out = append(out, *rec.token())
		}
		return nil
	})
	return out, err
}

// liveTokens counts the user's unexpired, unrevoked tokens.
func liveTokens(t *txn, userID string) int {
	n := 0
	prefix := compositeKey([]byte(userID), nil)
	c := t.tx.Bucket(bucketTokensByUser).Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		var rec tokenRecord
		if ok, err := getJSON(t.tx.Bucket(bucketTokens), t.tx.Bucket(bucketTokensByID).Get(k[len(prefix):]), &rec); err != nil || !ok {
			continue
		}
		if !rec.Session && rec.Label != domain.SessionTokenLabel && rec.RevokedAt == nil && (rec.ExpiresAt == nil || rec.ExpiresAt.After(t.now)) {
			n++
		}
	}
	return n
}

// RevokeToken implements domain.AccessService: admins, or the token's owner.
func (s *AccessService) RevokeToken(ctx context.Context, id string) error {
	a := domain.ActorFrom(ctx)
	if err := domain.RequireSignedIn(a); err != nil {
		return err
	}
	return s.revokeToken(ctx, id, func(rec *tokenRecord) bool { return domain.CanActForUser(a, rec.UserID) })
}

// RevokeUserToken implements domain.AccessService.
func (s *AccessService) RevokeUserToken(ctx context.Context, userID, id string) error {
	if err := domain.RequireAdmin(domain.ActorFrom(ctx)); err != nil {
		return err
	}
	return s.revokeToken(ctx, id, func(rec *tokenRecord) bool { return rec.UserID == userID })
}

// revokeToken revokes token id if may says the caller may see it.
func (s *AccessService) revokeToken(ctx context.Context, id string, may func(*tokenRecord) bool) error {
	return s.db.update(ctx, func(t *txn) error {
		h := t.tx.Bucket(bucketTokensByID).Get([]byte(id))
		if h == nil {
			return domain.ErrNotFound("Token")
		}
		h = bytes.Clone(h)
		var rec tokenRecord
		if _, err := getJSON(t.tx.Bucket(bucketTokens), h, &rec); err != nil {
			return err
		}
		if !may(&rec) {
			return domain.ErrNotFound("Token")
		}
		if rec.RevokedAt != nil {
			return nil
		}
		now := t.now
		rec.RevokedAt = &now
		if err := putJSON(t.tx.Bucket(bucketTokens), h, rec); err != nil {
			return err
		}
		return t.audit("user:"+rec.UserID, "token.revoked", "", map[string]any{"token_id": id})
	})
}

// RevokeTokensByLabel implements domain.AccessService. It reads every token:
// it runs once at start-up, and tokens are few next to threads.
func (s *AccessService) RevokeTokensByLabel(ctx context.Context, label string) (int, error) {
	if err := domain.RequireSystem(domain.ActorFrom(ctx)); err != nil {
		return 0, err
	}
	n := 0
	err := s.db.update(ctx, func(t *txn) error {
		b := t.tx.Bucket(bucketTokens)
		type hit struct {
			h   []byte
			rec tokenRecord
		}
		var hits []hit
		err := b.ForEach(func(k, v []byte) error {
			var rec tokenRecord
			if err := decodeJSON(v, &rec); err != nil {
				return fmt.Errorf("bolt: decode token %x: %w", k, err)
			}
			if rec.Label == label && rec.RevokedAt == nil {
				hits = append(hits, hit{bytes.Clone(k), rec})
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, x := range hits {
			now := t.now
			x.rec.RevokedAt = &now
			if err := putJSON(b, x.h, x.rec); err != nil {
				return err
			}
			if err := t.audit("user:"+x.rec.UserID, "token.revoked", label, map[string]any{"token_id": x.rec.ID}); err != nil {
				return err
			}
		}
		n = len(hits)
		return nil
	})
	return n, err
}

// Grant implements domain.AccessService (admins only; agents only receive).
func (s *AccessService) Grant(ctx context.Context, g *domain.Grant) error {
	a := domain.ActorFrom(ctx)
	if err := domain.RequireAdmin(a); err != nil {
		return err
	}
	ng := *g
	if err := ng.Validate(); err != nil {
		return err
	}
	err := s.db.update(ctx, func(t *txn) error {
		u, err := findUser(t, ng.AgentID)
		if err != nil {
			return err
		}
		if u == nil {
			u, err = findUserByName(t, ng.AgentID)
			if err != nil {
				return err
			}
		}
		if err := domain.CheckGrantee(u, ng.AgentID); err != nil {
			return err
		}
		id, err := t.newID()
		if err != nil {
			return err
		}
		ng.ID, ng.AgentID, ng.GrantedBy, ng.GrantedAt = id, u.ID, t.actorID(), t.now
		if err := putJSON(t.tx.Bucket(bucketGrants), compositeKey([]byte(u.ID), []byte(id)), ng); err != nil {
			return err
		}
		if !t.actor.IsSystem() { // seeding tells nobody
			if err := t.notify(u.ID, "grant.added", "You were granted "+ng.Permission, "user:"+u.ID, "", ng); err != nil {
				return err
			}
		}
		return t.audit("user:"+u.ID, "grant.added", "", ng)
	})
	if err != nil {
		return err
	}
	*g = ng
	return nil
}

// ListGrants implements domain.AccessService: operators; "" lists every agent's.
func (s *AccessService) ListGrants(ctx context.Context, agentID string) ([]domain.Grant, error) {
	if err := domain.RequireOperator(domain.ActorFrom(ctx)); err != nil {
		return nil, err
	}
	out := []domain.Grant{}
	err := s.db.view(ctx, func(t *txn) error {
		if agentID != "" {
			gs, err := grantsOf(t, agentID)
			out = append(out, gs...)
			return err
		}
		return t.tx.Bucket(bucketGrants).ForEach(func(k, v []byte) error {
			var g domain.Grant
			if err := decodeJSON(v, &g); err != nil {
				return fmt.Errorf("bolt: decode grant %q: %w", k, err)
			}
			out = append(out, g)
			return nil
		})
	})
	return out, err
}
