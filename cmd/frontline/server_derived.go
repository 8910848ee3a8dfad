package main

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"github.com/frontlinemap/frontline/data"
	"github.com/frontlinemap/frontline/data/derive"
)

// scenarioJSON is one entry of GET /api/scenarios.
type scenarioJSON struct {
	data.Scenario
	Builtin bool              `json:"builtin"`
	Links   map[string]string `json:"links"`
}

func (s *server) scenarios(c echo.Context) error {
	if done, err := s.fresh(c); done || err != nil {
		return err
	}
	list, err := s.db.Scenarios(c.Request().Context())
	if err != nil {
		return err
	}
	out := make([]scenarioJSON, 0, len(list))
	for _, sc := range list {
		out = append(out, scenarioJSON{Scenario: sc, Builtin: sc.Builtin, Links: map[string]string{
			"stats": "/api/scenarios/" + sc.ID,
			"csv":   "/api/scenarios/" + sc.ID + ".csv",
		}})
	}
	return c.JSON(http.StatusOK, map[string]any{"scenarios": out})
}

// scenario answers GET /api/scenarios/{id}[.csv]?date=.
func (s *server) scenario(c echo.Context) error {
	id, asCSV := strings.CutSuffix(c.Param("id"), ".csv")
	date, err := optionalDate(c, "date")
	if err != nil {
		return err
	}
	if done, err := s.fresh(c); done || err != nil {
		return err
	}
	res, err := s.derived.Scenario(c.Request().Context(), id, date)
	if err != nil {
		return err
	}
	if asCSV {
		var b bytes.Buffer
		if err := res.WriteCSV(&b); err != nil {
			return err
		}
		return csvBlob(c, fmt.Sprintf("frontline-%s-%s.csv", id, res.AsOf), b.Bytes())
	}
	return c.JSON(http.StatusOK, res)
}

// scenarioLayer answers GET /api/scenarios/{id}/layers/{layer}[.geojson]?date=.
func (s *server) scenarioLayer(c echo.Context) error {
	layer := strings.TrimSuffix(c.Param("layer"), ".geojson")
	date, err := optionalDate(c, "date")
	if err != nil {
		return err
	}
	if done, err := s.fresh(c); done || err != nil {
		return err
	}
	g, res, err := s.derived.ScenarioLayer(c.Request().Context(), c.Param("id"), date, layer)
	if err != nil {
		return err
	}
	return layerGeoJSON(c, g, geojson.Properties{
		"scenario": res.Scenario.ID, "layer": layer, "as_of": res.AsOf, "source": res.Line.Source,
		"approximate": res.Line.Approximate, "sliver_tolerance_m": res.SliverToleranceM,
	})
}

// change answers GET /api/change[.csv]?from=&to=.
func (s *server) change(c echo.Context) error {
	from, to, err := fromTo(c)
	if err != nil {
		return err
	}
	if done, err := s.fresh(c); done || err != nil {
		return err
	}
	res, err := s.derived.Change(c.Request().Context(), from, to)
	if err != nil {
		return err
	}
	if strings.HasSuffix(c.Path(), ".csv") {
		var b bytes.Buffer
		if err := res.WriteCSV(&b); err != nil {
			return err
		}
		return csvBlob(c, fmt.Sprintf("frontline-change-%s-%s.csv", res.From.Date, res.To.Date), b.Bytes())
	}
	return c.JSON(http.StatusOK, res)
}

// changeLayer answers GET /api/change/layers/{layer}[.geojson]?from=&to=.
func (s *server) changeLayer(c echo.Context) error {
	layer := strings.TrimSuffix(c.Param("layer"), ".geojson")
	from, to, err := fromTo(c)
	if err != nil {
		return err
	}
	if done, err := s.fresh(c); done || err != nil {
		return err
	}
	g, res, err := s.derived.ChangeLayer(c.Request().Context(), from, to, layer)
	if err != nil {
		return err
	}
	return layerGeoJSON(c, g, geojson.Properties{
		"layer": layer, "from": res.From.Date, "to": res.To.Date, "sliver_tolerance_m": res.SliverToleranceM,
		"approximate": res.From.Approximate || res.To.Approximate,
	})
}

// series answers GET /api/series[.csv]?oblast=&from=&to=.
func (s *server) series(c echo.Context) error {
	from, err := optionalDate(c, "from")
	if err != nil {
		return err
	}
	to, err := optionalDate(c, "to")
	if err != nil {
		return err
	}
	iso := c.QueryParam("oblast")
	if done, err := s.fresh(c); done || err != nil {
		return err
	}
	points, err := s.derived.Series(c.Request().Context(), iso, from, to)
	if err != nil {
		return err
	}
	if strings.HasSuffix(c.Path(), ".csv") {
		var b bytes.Buffer
		if err := derive.WriteSeriesCSV(&b, iso, points); err != nil {
			return err
		}
		name := "frontline-series.csv"
		if iso != "" {
			name = "frontline-series-" + iso + ".csv"
		}
		return csvBlob(c, name, b.Bytes())
	}
	if iso == "" {
		iso = derive.TotalISO
	}
	return c.JSON(http.StatusOK, map[string]any{"oblast": iso, "points": points})
}

func fromTo(c echo.Context) (from, to data.Date, err error) {
	if from, err = optionalDate(c, "from"); err != nil {
		return
	}
	if to, err = optionalDate(c, "to"); err != nil {
		return
	}
	if from == "" || to == "" {
		err = fmt.Errorf("%w: give both from=YYYY-MM-DD and to=YYYY-MM-DD", data.ErrInvalid)
	}
	return
}

func csvBlob(c echo.Context, filename string, b []byte) error {
	c.Response().Header().Set("Content-Disposition", `attachment; filename="`+filename+`"`)
	return c.Blob(http.StatusOK, "text/csv; charset=utf-8", b)
}

func layerGeoJSON(c echo.Context, g orb.Geometry, props geojson.Properties) error {
	fc := geojson.NewFeatureCollection()
	if g != nil {
		f := geojson.NewFeature(g)
		f.Properties = props
		fc.Append(f)
	}
	return geoJSON(c, fc)
}
