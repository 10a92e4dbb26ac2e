-- +goose Up
-- Single-use tokens mailed to users: verifying an address, resetting a
-- password. Only the sha256 of a token is kept, so a copy of the database
-- cannot be used to take over accounts.
CREATE TABLE user_tokens (
    id         BIGINT       NOT NULL AUTO_INCREMENT,
    user_id    BIGINT       NOT NULL,
    purpose    ENUM('verify','reset') NOT NULL,
    token_hash BINARY(32)   NOT NULL,
    expires_at DATETIME     NOT NULL,
    used_at    DATETIME     NULL,
    created_at DATETIME     NOT NULL DEFAULT CURRENT_TIMESTAMP,
    PRIMARY KEY (id),
    UNIQUE KEY user_tokens_hash (token_hash),
    KEY user_tokens_user (user_id, purpose),
    CONSTRAINT user_tokens_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE user_tokens;
