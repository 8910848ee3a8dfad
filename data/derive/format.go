package derive

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"
)

// ScenarioCSVHeader is the header of a scenario's CSV, fixed so that data
// desks can paste it into a spreadsheet.
var ScenarioCSVHeader = []string{"iso", "name", "total_km2", "occupied_km2", "to_russia_km2", "to_ukraine_km2", "russia_after_km2"}

// ChangeCSVHeader is the header of a change's CSV.
var ChangeCSVHeader = []string{"iso", "name", "total_km2", "occupied_from_km2", "occupied_to_km2", "gained_km2", "lost_km2", "net_km2"}

// SeriesCSVHeader is the header of a series' CSV.
var SeriesCSVHeader = []string{"date", "iso", "occupied_km2", "source", "approximate"}

func km2(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) }

func (r Row) fields() []string {
	return []string{r.ISO, r.Name, km2(r.TotalKm2), km2(r.OccupiedKm2), km2(r.ToRussiaKm2), km2(r.ToUkraineKm2), km2(r.RussiaAfterKm2)}
}

func (r ChangeRow) fields() []string {
	return []string{r.ISO, r.Name, km2(r.TotalKm2), km2(r.OccupiedFromKm2), km2(r.OccupiedToKm2), km2(r.GainedKm2), km2(r.LostKm2), km2(r.NetKm2)}
}

// WriteCSV writes one row per oblast touched and the total row (iso UA), km2
// with one decimal.
func (res *ScenarioResult) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	cw.Write(ScenarioCSVHeader)
	for _, r := range res.Oblasts {
		cw.Write(r.fields())
	}
	cw.Write(res.Total.fields())
	cw.Flush()
	return cw.Error()
}

// WriteTable writes the figures as an aligned text table with a heading
// naming the scenario, the line used and the absorbed slivers.
func (res *ScenarioResult) WriteTable(w io.Writer) error {
	fmt.Fprintf(w, "%s (%s)\n", res.Scenario.Title, res.Scenario.ID)
	fmt.Fprintf(w, "line of %s, source: %s%s\n", res.AsOf, res.Line.Source, approxNote(res.Line.Approximate))
	if res.RequestedDate != "" && res.RequestedDate != res.AsOf {
		fmt.Fprintf(w, "no line for %s: using the nearest earlier one\n", res.RequestedDate)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	writeTabRow(tw, ScenarioCSVHeader)
	for _, r := range res.Oblasts {
		writeTabRow(tw, r.fields())
	}
	writeTabRow(tw, res.Total.fields())
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "slivers within %.0f m of the border and coast absorbed: %s km2 to Russia, %s km2 to Ukraine (source disagreements, not transfers)\n",
		res.SliverToleranceM, km2(res.Total.AbsorbedToRussiaKm2), km2(res.Total.AbsorbedToUkraineKm2))
	return err
}

// WriteCSV writes one row per oblast touched and the total row (iso UA).
func (res *ChangeResult) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	cw.Write(ChangeCSVHeader)
	for _, r := range res.Oblasts {
		cw.Write(r.fields())
	}
	cw.Write(res.Total.fields())
	cw.Flush()
	return cw.Error()
}

// WriteTable writes the figures as an aligned text table.
func (res *ChangeResult) WriteTable(w io.Writer) error {
	fmt.Fprintf(w, "change from %s (%s%s) to %s (%s%s)\n", res.From.Date, res.From.Source, approxNote(res.From.Approximate),
		res.To.Date, res.To.Source, approxNote(res.To.Approximate))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	writeTabRow(tw, ChangeCSVHeader)
	for _, r := range res.Oblasts {
		writeTabRow(tw, r.fields())
	}
	writeTabRow(tw, res.Total.fields())
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "slivers within %.0f m of the border and coast absorbed: %s km2 gained, %s km2 lost\n",
		res.SliverToleranceM, km2(res.Total.AbsorbedGainedKm2), km2(res.Total.AbsorbedLostKm2))
	return err
}

// WriteSeriesCSV writes one row per date.
func WriteSeriesCSV(w io.Writer, iso string, points []SeriesPoint) error {
	if iso == "" {
		iso = TotalISO
	}
	cw := csv.NewWriter(w)
	cw.Write(SeriesCSVHeader)
	for _, p := range points {
		cw.Write([]string{string(p.Date), iso, km2(p.OccupiedKm2), p.Source, strconv.FormatBool(p.Approximate)})
	}
	cw.Flush()
	return cw.Error()
}

func writeTabRow(tw *tabwriter.Writer, fields []string) {
	for _, f := range fields {
		fmt.Fprint(tw, f, "\t")
	}
	fmt.Fprintln(tw)
}

func approxNote(approx bool) string {
	if approx {
		return ", APPROXIMATE demonstration line"
	}
	return ""
}
