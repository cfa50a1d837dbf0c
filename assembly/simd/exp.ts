// The vector exp and log as kernels: lets tests measure their ULP error in every tier.
import { vexp, sexp } from './vexp';
import { vlog } from './vlog';

export function exp_f32(x: usize, y: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const off = <usize>i << 2;
    v128.store(y + off, vexp(v128.load(x + off)));
  }
  for (; i < n; i++) store<f32>(y + (<usize>i << 2), sexp(load<f32>(x + (<usize>i << 2))));
}

export function log_f32(x: usize, y: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const off = <usize>i << 2;
    v128.store(y + off, vlog(v128.load(x + off)));
  }
  for (; i < n; i++) store<f32>(y + (<usize>i << 2), f32x4.extract_lane(vlog(f32x4.splat(load<f32>(x + (<usize>i << 2)))), 0));
}
