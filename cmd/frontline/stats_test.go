package main

import (
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func TestStatsCLI(t *testing.T) {
	needDeepState(t)
	dbPath := filepath.Join(t.TempDir(), "s.db")
	for _, day := range []string{"20250801", "20250815"} {
		f := filepath.Join(deepstateDir, "deepstatemap_data_"+day+".geojson")
		if code, _, stderr := cli(t, "import", "control", f, "--source", "DeepStateMap", "--db", dbPath); code != 0 {
			t.Fatalf("import %s: %s", day, stderr)
		}
	}

	code, stdout, stderr := cli(t, "stats", "--scenario", "alaska-2025", "--format", "csv", "--db", dbPath)
	if code != 0 {
		t.Fatalf("stats: exit %d: %s", code, stderr)
	}
	recs, err := csv.NewReader(strings.NewReader(stdout)).ReadAll()
	if err != nil {
		t.Fatalf("CSV does not parse: %v\n%s", err, stdout)
	}
	if got := strings.Join(recs[0], ","); got != "iso,name,total_km2,occupied_km2,to_russia_km2,to_ukraine_km2,russia_after_km2" {
		t.Errorf("header %q", got)
	}
	byISO := map[string][]string{}
	for _, r := range recs[1:] {
		byISO[r[0]] = r
		for _, f := range r[2:] {
			if i := strings.IndexByte(f, '.'); i < 0 || len(f)-i != 2 {
				t.Errorf("row %s: %q does not have one decimal", r[0], f)
			}
		}
	}
	if recs[len(recs)-1][0] != "UA" {
		t.Errorf("last row %v, want the UA total", recs[len(recs)-1])
	}
	toRussia, _ := strconv.ParseFloat(byISO["UA-14"][4], 64)
	if toRussia < 6660 || toRussia > 6770 {
		t.Errorf("Donetsk to_russia %.1f, want 6,660-6,770", toRussia)
	}

	code, stdout, _ = cli(t, "stats", "--scenario", "alaska-2025", "--db", dbPath)
	if code != 0 || !strings.Contains(stdout, "line of 2025-08-15, source: DeepStateMap") || !strings.Contains(stdout, "slivers within 2000 m") {
		t.Errorf("table output:\n%s", stdout)
	}

	code, stdout, stderr = cli(t, "stats", "--from", "2025-08-01", "--to", "2025-08-15", "--format", "json", "--db", dbPath)
	if code != 0 {
		t.Fatalf("change: exit %d: %s", code, stderr)
	}
	var ch struct {
		From  struct{ Date string }
		Total struct {
			GainedKm2 float64 `json:"gained_km2"`
		}
	}
	if err := json.Unmarshal([]byte(stdout), &ch); err != nil || ch.From.Date != "2025-08-01" || ch.Total.GainedKm2 <= 0 {
		t.Errorf("change JSON %v: %s", err, stdout)
	}

	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"no mode", []string{"stats"}, 2, "stats needs --scenario ID, or --from and --to"},
		{"both modes", []string{"stats", "--scenario", "current", "--from", "2025-08-01"}, 2, "give either --scenario"},
		{"half a change", []string{"stats", "--from", "2025-08-01"}, 2, "needs both --from and --to"},
		{"bad format", []string{"stats", "--scenario", "current", "--format", "xml"}, 2, `--format "xml": want table, csv, json`},
		{"unknown scenario", []string{"stats", "--scenario", "nope"}, 1, `scenario "nope": not found`},
		{"bad date", []string{"stats", "--scenario", "current", "--date", "15/08/2025"}, 2, "--date:"},
		{"too early", []string{"stats", "--scenario", "current", "--date", "2020-01-01"}, 1, "no line of control on or before 2020-01-01"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := cli(t, append(tt.args, "--db", dbPath)...)
			if code != tt.code || !strings.Contains(stderr, tt.want) {
				t.Errorf("got exit %d, stderr %q; want %d containing %q", code, stderr, tt.code, tt.want)
			}
		})
	}
}

func TestServeScenarioAPI(t *testing.T) {
	base, _ := startServer(t, filepath.Join(t.TempDir(), "a.db"))
	tests := []struct {
		name, path  string
		status      int
		contentType string
		body        string
	}{
		{"list", "/api/scenarios", 200, "application/json", `"id":"alaska-2025"`},
		{"stats", "/api/scenarios/four-oblasts", 200, "application/json", `"as_of":"2025-08-15"`},
		{"stats marks approximate", "/api/scenarios/current?date=2025-09-01", 200, "application/json", `"approximate":true`},
		{"csv", "/api/scenarios/alaska-2025.csv", 200, "text/csv", "iso,name,total_km2,occupied_km2,to_russia_km2,to_ukraine_km2,russia_after_km2\n"},
		{"layer", "/api/scenarios/alaska-2025/layers/to_russia.geojson", 200, "application/geo+json", `"layer":"to_russia"`},
		{"line layer", "/api/scenarios/current/layers/line", 200, "application/geo+json", `"MultiLineString"`},
		{"unknown scenario", "/api/scenarios/nope", 404, "application/json", `scenario \"nope\": not found`},
		{"unknown layer", "/api/scenarios/current/layers/pizza", 400, "application/json", `unknown layer \"pizza\"`},
		{"bad date", "/api/scenarios/current?date=2025-02-30", 400, "application/json", "date: invalid input"},
		{"too early", "/api/scenarios/current?date=2001-01-01", 404, "application/json", "no line of control on or before 2001-01-01"},
		{"change needs dates", "/api/change?from=2025-08-15", 400, "application/json", "give both from=YYYY-MM-DD and to=YYYY-MM-DD"},
		{"change", "/api/change?from=2025-08-15&to=2025-08-15", 200, "application/json", `"gained_km2":0`},
		{"series", "/api/series?oblast=UA-14", 200, "application/json", `"oblast":"UA-14"`},
		{"series csv", "/api/series.csv", 200, "text/csv", "date,iso,occupied_km2,source,approximate\n2025-08-15,UA,"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := get(t, base+tt.path)
			if resp.StatusCode != tt.status {
				t.Errorf("status %d, want %d (%.300s)", resp.StatusCode, tt.status, body)
			}
			if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, tt.contentType) {
				t.Errorf("Content-Type %q, want %q", ct, tt.contentType)
			}
			if !strings.Contains(string(body), tt.body) {
				t.Errorf("body %.400s does not contain %s", body, tt.body)
			}
			if strings.HasPrefix(tt.contentType, "text/csv") && !strings.Contains(resp.Header.Get("Content-Disposition"), `attachment; filename="frontline-`) {
				t.Errorf("Content-Disposition %q, want a download file name", resp.Header.Get("Content-Disposition"))
			}
		})
	}
}

func TestImportScenarios(t *testing.T) {
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "sc.db")
	scenarios := filepath.Join(dir, "scenarios")
	os.Mkdir(scenarios, 0o755)
	write := func(name, rule string) string {
		f := filepath.Join(scenarios, name)
		os.WriteFile(f, []byte(`{"id":"`+strings.TrimSuffix(name, ".json")+`","title":"T","summary":"S","reported":"2025-08-20","sources":[{"publisher":"P","date":"2025-08-20"}],"rule":"`+rule+`"}`), 0o644)
		return f
	}
	write("donbas-only.json", "control + oblast(UA-14, UA-09)")
	code, stdout, stderr := cli(t, "import", "scenarios", scenarios, "--db", dbPath)
	if code != 0 || !strings.Contains(stdout, "imported 1 scenario") {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	code, stdout, _ = cli(t, "stats", "--scenario", "donbas-only", "--format", "csv", "--db", dbPath)
	if code != 0 || !strings.Contains(stdout, "\nUA-14,Donetsk,") {
		t.Errorf("stats of the imported scenario: exit %d\n%s", code, stdout)
	}

	before := checksumOf(t, dbPath)
	tests := []struct {
		name, file, rule string
		args             []string
		want             string
	}{
		{"same id again", "donbas-only.json", "control", nil, "a scenario with this id is already stored; replace it explicitly (--replace)"},
		{"unknown oblast", "bad-code.json", "control + oblast(UA-99)", nil, "unknown oblast code UA-99"},
		{"syntax error", "bad-syntax.json", "control + (oblast(UA-14)", nil, `at character 25: expected ")", found end of rule`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := write(tt.file, tt.rule)
			defer func() {
				if tt.file != "donbas-only.json" {
					os.Remove(f)
				}
			}()
			code, _, stderr := cli(t, append([]string{"import", "scenarios", f, "--db", dbPath}, tt.args...)...)
			if code != 1 || !strings.Contains(stderr, tt.want) || !strings.Contains(stderr, "nothing was changed") {
				t.Errorf("got exit %d, stderr %q; want 1 containing %q", code, stderr, tt.want)
			}
			if checksumOf(t, dbPath) != before {
				t.Error("failed scenario import changed the database")
			}
		})
	}
	// With --replace the new rule wins.
	if code, _, stderr := cli(t, "import", "scenarios", filepath.Join(scenarios, "donbas-only.json"), "--replace", "--db", dbPath); code != 0 {
		t.Errorf("--replace: exit %d: %s", code, stderr)
	}

	// serve --scenarios loads a directory at start.
	other := filepath.Join(dir, "more")
	os.Mkdir(other, 0o755)
	os.WriteFile(filepath.Join(other, "kherson-swap.json"), []byte(`{"id":"kherson-swap","title":"K","summary":"S","reported":"2025-08-20","sources":[],"rule":"control - oblast(UA-65)"}`), 0o644)
	base, stop := startServer(t, dbPath, "--scenarios", other)
	_, body := get(t, base+"/api/scenarios")
	stop()
	if !strings.Contains(string(body), `"id":"kherson-swap"`) || !strings.Contains(string(body), `"id":"donbas-only"`) {
		t.Errorf("scenarios %s lack kherson-swap or donbas-only", body)
	}
}
