package bolt

import "github.com/marketplace/helpcentre/domain/kv"

// Buckets of access and orders.
var (
	bucketUsers        = []byte("users.v1")          // user id → JSON domain.User
	bucketUsersByName  = []byte("users_by_name.v1")  // name → user id
	bucketShops        = []byte("shops.v1")          // shop id → JSON domain.Shop
	bucketShopUsers    = []byte("shop_users.v1")     // shop id, 0x00, user id → empty
	bucketTokens       = []byte("tokens.v1")         // SHA-256 of the secret (32 bytes) → JSON tokenRecord
	bucketTokensByID   = []byte("tokens_by_id.v1")   // token id → SHA-256 of its secret
	bucketTokensByUser = []byte("tokens_by_user.v1") // user id, 0x00, token id → empty
	bucketPasswords    = []byte("passwords.v1")      // user id → bcrypt hash
	bucketGrants       = []byte("grants.v1")         // agent id, 0x00, grant id → JSON domain.Grant
	// login name (domain.NormalizeLoginName, at most 64 bytes) → JSON domain.LoginAttempts
	bucketLoginAttempts = []byte("login_attempts.v1")
	bucketOrders        = []byte("orders.v1") // number → JSON domain.Order
	bucketOrdersByCust  = []byte("orders_by_customer.v1")
	bucketOrdersByShop  = []byte("orders_by_shop.v1") // owner id, 0x00, placed at (timeKey), number → empty
	bucketOrdersByTime  = []byte("orders_by_time.v1") // placed at (timeKey), number → empty: operators' list
)

// accessMigration creates the buckets of access and orders.
func accessMigration(tx kv.Tx) error {
	for _, name := range [][]byte{bucketUsers, bucketUsersByName, bucketShops, bucketShopUsers, bucketTokens,
		bucketTokensByID, bucketTokensByUser, bucketPasswords, bucketGrants, bucketOrders, bucketOrdersByCust, bucketOrdersByShop, bucketOrdersByTime} {
		if _, err := tx.CreateBucketIfNotExists(name); err != nil {
			return err
		}
	}
	return nil
}

// loginAttemptsMigration creates the per-name sign-in failure counts.
func loginAttemptsMigration(tx kv.Tx) error {
	_, err := tx.CreateBucketIfNotExists(bucketLoginAttempts)
	return err
}
