package tiles

// TileJSON is a TileJSON 3.0.0 document, with Frontline's extensions
// (valid_dates, as_of, source, approximate, revision) for dated tilesets.
type TileJSON struct {
	TileJSON     string        `json:"tilejson"`
	Name         string        `json:"name"`
	Description  string        `json:"description,omitempty"`
	Version      string        `json:"version"`
	Attribution  string        `json:"attribution"`
	Scheme       string        `json:"scheme"`
	Tiles        []string      `json:"tiles"`
	MinZoom      int           `json:"minzoom"`
	MaxZoom      int           `json:"maxzoom"`
	Bounds       [4]float64    `json:"bounds"`
	Center       [3]float64    `json:"center"`
	Format       string        `json:"format"` // png or pbf
	VectorLayers []VectorLayer `json:"vector_layers,omitempty"`

	ValidDates  []string `json:"valid_dates,omitempty"` // dates with a stored line, oldest first
	AsOf        string   `json:"as_of,omitempty"`       // date of the line drawn
	AsOfNote    string   `json:"as_of_note,omitempty"`  // says when the requested date had no line
	Source      string   `json:"source,omitempty"`      // who published the line
	Approximate bool     `json:"approximate"`           // the line is hand-drawn demonstration data
	Revision    int64    `json:"revision"`              // data revision in the tile URLs
}

// VectorLayer documents one layer of a vector tileset.
type VectorLayer struct {
	ID          string            `json:"id"`
	Description string            `json:"description"`
	Fields      map[string]string `json:"fields"`
	MinZoom     int               `json:"minzoom"`
	MaxZoom     int               `json:"maxzoom"`
}

// UkraineBounds is the default view of every tileset: Ukraine with its
// neighbours' edges, lon/lat.
var UkraineBounds = [4]float64{22.0, 44.3, 40.3, 52.4}

// FourOblastsCenter centres maps on Donetsk, Luhansk, Zaporizhzhia and Kherson.
var FourOblastsCenter = [3]float64{36.0, 47.6, 6}
