#pragma once

// Internal to the crypto layer: one place that brings libsodium up before first use.

namespace automation::crypto::detail {

// Initializes libsodium exactly once per process (safe to call from any thread, any
// number of times). Throws std::runtime_error if libsodium cannot start: that means the
// CSPRNG is unusable, which is fatal, not a recoverable error.
void ensure_sodium_initialized();

}  // namespace automation::crypto::detail
