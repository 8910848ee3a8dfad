// Package geo is Frontline's pure planar geometry on orb types: repair,
// validation and overlay of lon/lat multipolygons, with no I/O and no state.
package geo
