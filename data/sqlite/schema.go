package sqlite

// migrations are applied in order; PRAGMA user_version records how many ran.
// Never edit a shipped migration: append a new one.
var migrations = []string{
	// 1: boundaries, dated control snapshots, scenarios, the import log,
	// geometry pieces with an R*Tree, and a revision bumped by every change.
	`
CREATE TABLE revision (
	id    INTEGER PRIMARY KEY CHECK (id = 1),
	value INTEGER NOT NULL
);
INSERT INTO revision (id, value) VALUES (1, 1);

CREATE TABLE imports (
	id          INTEGER PRIMARY KEY,
	imported_at TEXT NOT NULL,            -- RFC 3339, UTC
	kind        TEXT NOT NULL,            -- boundaries, control, scenarios, defaults
	origin      TEXT NOT NULL,            -- file, directory or URL
	items       INTEGER NOT NULL,
	warnings    TEXT NOT NULL DEFAULT ''  -- one per line
);

CREATE TABLE boundaries (
	id        INTEGER PRIMARY KEY,
	iso       TEXT NOT NULL UNIQUE,
	kind      TEXT NOT NULL CHECK (kind IN ('admin1', 'country')),
	name_en   TEXT NOT NULL,
	name_uk   TEXT NOT NULL,
	source    TEXT NOT NULL,
	import_id INTEGER NOT NULL REFERENCES imports (id),
	wkb       BLOB NOT NULL
);

CREATE TABLE snapshots (
	id          INTEGER PRIMARY KEY,
	date        TEXT NOT NULL UNIQUE,     -- YYYY-MM-DD
	source      TEXT NOT NULL,
	note        TEXT NOT NULL DEFAULT '',
	approximate INTEGER NOT NULL DEFAULT 0,
	vertices    INTEGER NOT NULL,
	import_id   INTEGER NOT NULL REFERENCES imports (id)
);

-- Kept apart from snapshots so that listing dates never reads geometry.
CREATE TABLE snapshot_geoms (
	snapshot_id INTEGER PRIMARY KEY REFERENCES snapshots (id) ON DELETE CASCADE,
	wkb         BLOB NOT NULL
);

CREATE TABLE scenarios (
	id        TEXT PRIMARY KEY,
	builtin   INTEGER NOT NULL DEFAULT 0,
	json      TEXT NOT NULL,              -- the validated definition
	import_id INTEGER NOT NULL REFERENCES imports (id)
);

-- Geometry cut into grid cells, so that a small area reads only its pieces.
-- layer 1 = boundary, 2 = snapshot; owner is the row id in that table.
CREATE TABLE pieces (
	id    INTEGER PRIMARY KEY,
	layer INTEGER NOT NULL,
	owner INTEGER NOT NULL,
	wkb   BLOB NOT NULL
);
CREATE INDEX pieces_owner ON pieces (layer, owner);
CREATE VIRTUAL TABLE pieces_rtree USING rtree (id, min_lon, max_lon, min_lat, max_lat);

CREATE TRIGGER pieces_delete AFTER DELETE ON pieces BEGIN
	DELETE FROM pieces_rtree WHERE id = OLD.id;
END;
CREATE TRIGGER boundaries_delete AFTER DELETE ON boundaries BEGIN
	DELETE FROM pieces WHERE layer = 1 AND owner = OLD.id;
	UPDATE revision SET value = value + 1;
END;
CREATE TRIGGER snapshots_delete AFTER DELETE ON snapshots BEGIN
	DELETE FROM pieces WHERE layer = 2 AND owner = OLD.id;
	UPDATE revision SET value = value + 1;
END;
CREATE TRIGGER boundaries_insert AFTER INSERT ON boundaries BEGIN
	UPDATE revision SET value = value + 1;
END;
CREATE TRIGGER boundaries_update AFTER UPDATE ON boundaries BEGIN
	UPDATE revision SET value = value + 1;
END;
CREATE TRIGGER snapshots_insert AFTER INSERT ON snapshots BEGIN
	UPDATE revision SET value = value + 1;
END;
CREATE TRIGGER snapshots_update AFTER UPDATE ON snapshots BEGIN
	UPDATE revision SET value = value + 1;
END;
CREATE TRIGGER scenarios_insert AFTER INSERT ON scenarios BEGIN
	UPDATE revision SET value = value + 1;
END;
CREATE TRIGGER scenarios_update AFTER UPDATE ON scenarios BEGIN
	UPDATE revision SET value = value + 1;
END;
CREATE TRIGGER scenarios_delete AFTER DELETE ON scenarios BEGIN
	UPDATE revision SET value = value + 1;
END;
`,
}
