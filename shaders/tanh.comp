#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
// y = tanh(x), accurate to a few ulp everywhere and free of overflow:
//   |x| < 0.125: the Taylor series to x^7 (the next term is below 2e-9 relative),
//                 because 1 - exp(-2|x|) cancels there;
//   otherwise:    sign(x) * (1 - e) / (1 + e), e = exp(-2|x|) <= 1, which saturates to +-1.
// The built-in tanh is not used: drivers differ in how they evaluate it near 0 and
// for large |x| (some via (e^x - e^-x) / (e^x + e^-x), which overflows or cancels).
layout(std430, binding = 0) readonly buffer X { float x[]; };
layout(std430, binding = 1) writeonly buffer Y { float y[]; };
layout(push_constant) uniform Push { uint count; float beta; } p;

void main() {
  uint i = linear_index();
  if (i >= p.count) return;
  float v = x[i];
  float a = abs(v);
  float result;
  if (a < 0.125) {
    float s = v * v;
    // x - x^3/3 + 2x^5/15 - 17x^7/315
    result = v + v * s * (-1.0 / 3.0 + s * (2.0 / 15.0 + s * (-17.0 / 315.0)));
  } else {
    float e = exp(-2.0 * a);
    result = sign(v) * ((1.0 - e) / (1.0 + e));
  }
  y[i] = result;
}
