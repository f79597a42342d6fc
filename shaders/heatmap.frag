// Diverging colormap for weights and gradients: negative values blue, zero near-white, positive red.
// The texture holds raw float32 values (R32F, nearest sampling); Scale is the largest |value| shown.
precision highp float;
uniform sampler2D Values;
uniform float Scale;
in vec2 Frag_UV;
out vec4 Out_Color;

vec3 diverging(float t) {
    // t in [-1, 1]; stops chosen for even perceived steps on both sides.
    vec3 neg_far = vec3(0.019, 0.188, 0.380);
    vec3 neg_near = vec3(0.263, 0.576, 0.765);
    vec3 mid = vec3(0.969, 0.969, 0.969);
    vec3 pos_near = vec3(0.839, 0.376, 0.302);
    vec3 pos_far = vec3(0.404, 0.0, 0.122);
    float a = abs(t);
    if (t < 0.0) return a < 0.5 ? mix(mid, neg_near, a * 2.0) : mix(neg_near, neg_far, a * 2.0 - 1.0);
    return a < 0.5 ? mix(mid, pos_near, a * 2.0) : mix(pos_near, pos_far, a * 2.0 - 1.0);
}

void main() {
    float v = texture(Values, Frag_UV).r;
    float t = clamp(v / max(Scale, 1e-12), -1.0, 1.0);
    // NaN or infinity shows as magenta, so a diverged run is visible in the picture too.
    if (isnan(v) || isinf(v)) { Out_Color = vec4(1.0, 0.0, 1.0, 1.0); return; }
    Out_Color = vec4(diverging(t), 1.0);
}
