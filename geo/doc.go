// Package geo is Frontline's pure geometry on orb types, lon/lat WGS84
// everywhere: repair, validation and overlay of multipolygons (planar on
// lon/lat), geodesic areas on the WGS84 ellipsoid, distances to Ukraine's
// outline for sliver absorption and the line of contact, and areas per
// oblast. No I/O, no logging, no package state; inputs are never mutated.
package geo
