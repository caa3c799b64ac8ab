-- Photos: a content-addressed blob store (src/modules/media). sha256 is
-- the lower-case hex SHA-256 of the bytes, so the same photo sent twice is
-- one row. data holds the bytes (every server node sees them); it is NULL
-- when the server keeps them in its blob_dir instead, as
-- blob_dir/ab/cd/<sha256>. mime, width and height are what the content
-- check decided. created_at is when the bytes were last uploaded: the
-- orphan sweep keeps a blob someone was just handed again.
CREATE TABLE blobs (
	sha256 TEXT PRIMARY KEY,
	mime TEXT NOT NULL,
	size BIGINT NOT NULL,
	width INTEGER NOT NULL,
	height INTEGER NOT NULL,
	data BLOB,
	created_at BIGINT NOT NULL
);
CREATE INDEX blobs_created ON blobs (created_at);
