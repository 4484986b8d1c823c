// Plane geometry for the map: rectangles, and the curved link between two round nodes. Pure.

export interface Point {
  x: number;
  y: number;
}

export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

export function rectsOverlap(a: Rect, b: Rect): boolean {
  return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

export function rectContains(outer: Rect, inner: Rect): boolean {
  return inner.x >= outer.x && inner.y >= outer.y && inner.x + inner.w <= outer.x + outer.w && inner.y + inner.h <= outer.y + outer.h;
}

export interface Curve {
  /** SVG path data: `M x y Q cx cy x y`. */
  d: string;
  start: Point;
  control: Point;
  end: Point;
  /** The curve's midpoint (t = 0.5), where a link's label or marker goes. */
  mid: Point;
}

const round = (v: number) => Math.round(v * 10) / 10;

/**
 * A quadratic curve from the rim of circle (a, ra) to the rim of circle (b, rb), bending to the right
 * of the direction of travel by `bend` × distance: a→b and b→a then bend to opposite sides and never
 * draw on top of each other.
 */
export function curveBetween(a: Point, ra: number, b: Point, rb: number, bend = 0.14): Curve {
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  const dist = Math.hypot(dx, dy) || 1;
  // Right-hand normal of (dx, dy) in screen coordinates (y down).
  const nx = -dy / dist;
  const ny = dx / dist;
  const control = { x: (a.x + b.x) / 2 + nx * bend * dist, y: (a.y + b.y) / 2 + ny * bend * dist };
  const toward = (p: Point, q: Point, r: number): Point => {
    const ux = q.x - p.x;
    const uy = q.y - p.y;
    const l = Math.hypot(ux, uy) || 1;
    return { x: p.x + (ux / l) * r, y: p.y + (uy / l) * r };
  };
  const start = toward(a, control, ra);
  const end = toward(b, control, rb);
  const mid = {
    x: 0.25 * start.x + 0.5 * control.x + 0.25 * end.x,
    y: 0.25 * start.y + 0.5 * control.y + 0.25 * end.y,
  };
  const p = (q: Point) => `${round(q.x)} ${round(q.y)}`;
  return { d: `M ${p(start)} Q ${p(control)} ${p(end)}`, start, control, end, mid: { x: round(mid.x), y: round(mid.y) } };
}
