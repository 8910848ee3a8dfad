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
`, // 2: caches of results derived from stored data (occupied area per unit,
	// scenario outcomes, changes between dates). Rows go with the snapshots
	// they were computed from; triggers drop them when boundaries or
	// scenarios change, so a cache row is never stale.
	`
CREATE TABLE occupied (
	snapshot_id INTEGER NOT NULL REFERENCES snapshots (id) ON DELETE CASCADE,
	iso         TEXT NOT NULL,
	km2         REAL NOT NULL,
	PRIMARY KEY (snapshot_id, iso)
);
-- A marker row per snapshot says its occupied areas are complete.
CREATE TABLE occupied_done (
	snapshot_id INTEGER PRIMARY KEY REFERENCES snapshots (id) ON DELETE CASCADE
);

CREATE TABLE derived (
	key         TEXT NOT NULL,              -- "scenario:ID" or "change"
	snapshot_id INTEGER NOT NULL REFERENCES snapshots (id) ON DELETE CASCADE,
	other_id    INTEGER NOT NULL DEFAULT 0, -- the earlier snapshot of a change, else 0
	json        TEXT NOT NULL,              -- figures
	PRIMARY KEY (key, snapshot_id, other_id)
);
CREATE TABLE derived_layers (
	key         TEXT NOT NULL,
	snapshot_id INTEGER NOT NULL,
	other_id    INTEGER NOT NULL,
	layer       TEXT NOT NULL,
	wkb         BLOB NOT NULL,
	PRIMARY KEY (key, snapshot_id, other_id, layer),
	FOREIGN KEY (key, snapshot_id, other_id) REFERENCES derived (key, snapshot_id, other_id) ON DELETE CASCADE
);
CREATE TRIGGER snapshots_delete_changes AFTER DELETE ON snapshots BEGIN
	DELETE FROM derived WHERE other_id = OLD.id;
END;
CREATE TRIGGER boundaries_insert_caches AFTER INSERT ON boundaries BEGIN
	DELETE FROM occupied; DELETE FROM occupied_done; DELETE FROM derived;
END;
CREATE TRIGGER boundaries_update_caches AFTER UPDATE ON boundaries BEGIN
	DELETE FROM occupied; DELETE FROM occupied_done; DELETE FROM derived;
END;
CREATE TRIGGER boundaries_delete_caches AFTER DELETE ON boundaries BEGIN
	DELETE FROM occupied; DELETE FROM occupied_done; DELETE FROM derived;
END;
CREATE TRIGGER scenarios_insert_caches AFTER INSERT ON scenarios BEGIN
	DELETE FROM derived WHERE key = 'scenario:' || NEW.id;
END;
CREATE TRIGGER scenarios_update_caches AFTER UPDATE ON scenarios BEGIN
	DELETE FROM derived WHERE key = 'scenario:' || OLD.id OR key = 'scenario:' || NEW.id;
END;
CREATE TRIGGER scenarios_delete_caches AFTER DELETE ON scenarios BEGIN
	DELETE FROM derived WHERE key = 'scenario:' || OLD.id;
END;
`,
}
