#pragma once

// Keeps the memory of Argon2 on a hashing thread from one hash to the next.
//
// libsodium maps Argon2's whole memory (AUTOMATION_ARGON2_MEMORY_KIB, 19 MiB by default) with
// MAP_POPULATE at the start of every hash and unmaps it at the end. On a virtual machine that
// hands freed pages back to its host this mapping alone cost as much as the hash itself:
// 19 -> 10.5 ms per hash when the memory was kept (one core, m = 19 MiB, t = 2), and logins
// went from ~103 to ~160 per second on two cores. Unmapping also interrupts every core that
// runs the process (TLB shootdowns, ~3 per login), which is felt by the threads answering key
// checks. libsodium offers no way to hand it memory, so while a thread holds a
// HashMemoryKeeper, the mapping libsodium asks for inside one Argon2 call is served from a
// region the keeper keeps, and the unmapping at its end gives the region back instead.
//
// Only calls made inside an Argon2 call of this thread (Argon2CallScope) are served; every
// other mapping in the process goes to the C library untouched. The region holds Argon2's
// blocks of the last hash: they are worth no more than the stored hash (the password cannot
// be read back from them), are left out of core dumps, and are wiped when released.

#include <cstddef>
#include <cstdint>

namespace automation::crypto {

struct KeptHashRegion;

class HashMemoryKeeper {
 public:
  HashMemoryKeeper();
  ~HashMemoryKeeper();  // wipes and unmaps the region
  HashMemoryKeeper(const HashMemoryKeeper&) = delete;
  HashMemoryKeeper& operator=(const HashMemoryKeeper&) = delete;

  // Wipes and unmaps the region now (an idle hashing thread gives its memory back); the next
  // hash maps a new one.
  void release() noexcept;

  // Bytes kept now, and how many hashes were served from an already kept region (tests).
  [[nodiscard]] std::size_t kept_bytes() const noexcept;
  [[nodiscard]] std::uint64_t reuses() const noexcept;

 private:
  KeptHashRegion* region_;  // nullptr for a second keeper on a thread that has one
};

namespace detail {

// The region this thread's keeper keeps (nullptr without one).
KeptHashRegion* kept_region_of_this_thread() noexcept;

// Lets this thread use another thread's region while it runs that thread's hash (the owner
// waits meanwhile, so the region is never used by two threads at once).
class BorrowedHashRegion {
 public:
  explicit BorrowedHashRegion(KeptHashRegion* region) noexcept;
  ~BorrowedHashRegion();
  BorrowedHashRegion(const BorrowedHashRegion&) = delete;
  BorrowedHashRegion& operator=(const BorrowedHashRegion&) = delete;

 private:
  KeptHashRegion* previous_;
};

// Marks the span of one libsodium Argon2 call on this thread (see above). Nests safely.
class Argon2CallScope {
 public:
  Argon2CallScope() noexcept;
  ~Argon2CallScope();
  Argon2CallScope(const Argon2CallScope&) = delete;
  Argon2CallScope& operator=(const Argon2CallScope&) = delete;

 private:
  bool outer_;
};

}  // namespace detail
}  // namespace automation::crypto
