-- +goose Up
CREATE TABLE blog_categories (
    id       BIGINT       NOT NULL AUTO_INCREMENT,
    slug     VARCHAR(100) NOT NULL,
    position INT          NOT NULL DEFAULT 0,
    PRIMARY KEY (id),
    UNIQUE KEY blog_categories_slug (slug)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE blog_category_translations (
    category_id BIGINT       NOT NULL,
    lang        VARCHAR(8)   NOT NULL,
    name        VARCHAR(100) NOT NULL,
    description VARCHAR(500) NOT NULL DEFAULT '',
    PRIMARY KEY (category_id, lang),
    CONSTRAINT blog_category_translations_category FOREIGN KEY (category_id) REFERENCES blog_categories (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- A post is visible once its status is published or scheduled and publish_at
-- has passed, so a scheduled post appears on time without a job flipping it.
CREATE TABLE blog_posts (
    id             BIGINT        NOT NULL AUTO_INCREMENT,
    slug           VARCHAR(150)  NOT NULL,
    status         ENUM('draft','scheduled','published') NOT NULL DEFAULT 'draft',
    publish_at     DATETIME      NULL,
    author_id      BIGINT        NULL,
    author_name    VARCHAR(100)  NOT NULL DEFAULT '',
    cover_media_id BIGINT        NULL,
    created_at     DATETIME      NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at     DATETIME      NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
    version        INT           NOT NULL DEFAULT 1,
    PRIMARY KEY (id),
    UNIQUE KEY blog_posts_slug (slug),
    KEY blog_posts_status_publish (status, publish_at),
    CONSTRAINT blog_posts_author FOREIGN KEY (author_id) REFERENCES users (id) ON DELETE SET NULL,
    CONSTRAINT blog_posts_cover FOREIGN KEY (cover_media_id) REFERENCES media (id) ON DELETE SET NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE blog_post_translations (
    post_id       BIGINT       NOT NULL,
    lang          VARCHAR(8)   NOT NULL,
    title         VARCHAR(200) NOT NULL,
    summary       VARCHAR(500) NOT NULL DEFAULT '',
    body_markdown MEDIUMTEXT   NOT NULL,
    PRIMARY KEY (post_id, lang),
    CONSTRAINT blog_post_translations_post FOREIGN KEY (post_id) REFERENCES blog_posts (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE blog_post_categories (
    post_id     BIGINT NOT NULL,
    category_id BIGINT NOT NULL,
    PRIMARY KEY (post_id, category_id),
    KEY blog_post_categories_category (category_id, post_id),
    CONSTRAINT blog_post_categories_post FOREIGN KEY (post_id) REFERENCES blog_posts (id) ON DELETE CASCADE,
    CONSTRAINT blog_post_categories_category FOREIGN KEY (category_id) REFERENCES blog_categories (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE blog_post_categories;
DROP TABLE blog_post_translations;
DROP TABLE blog_posts;
DROP TABLE blog_category_translations;
DROP TABLE blog_categories;
