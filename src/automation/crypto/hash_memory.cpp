#include "automation/crypto/hash_memory.hpp"

#include <dlfcn.h>
#include <sodium.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <utility>

namespace automation::crypto {

// The region a HashMemoryKeeper keeps for its thread.
struct KeptHashRegion {
  void* base = nullptr;
  std::size_t size = 0;
  bool lent = false;  // libsodium is using it now (between its map and unmap)
  std::uint64_t reuses = 0;
};

namespace {

// Trivially destructible, so they are safe to read in any mapping call, even one made while
// the thread ends.
thread_local KeptHashRegion* tls_kept_hash_region = nullptr;
thread_local bool tls_in_argon2_call = false;

// Smaller mappings are not Argon2's (its smallest memory is 8 KiB, but nobody configures
// that; below a MiB the mapping costs too little to keep).
constexpr std::size_t kSmallestKeptMapping = std::size_t{1} << 20;

using MapFunction = void* (*)(void*, std::size_t, int, int, int, off_t);
using UnmapFunction = int (*)(void*, std::size_t);

// The C library's functions (or a sanitizer's, which come before it). dlsym does not map
// through these symbols (the C library calls its own mmap internally), so this cannot recurse.
MapFunction next_map() {
  static const auto function = reinterpret_cast<MapFunction>(dlsym(RTLD_NEXT, "mmap"));
  return function;
}
UnmapFunction next_unmap() {
  static const auto function = reinterpret_cast<UnmapFunction>(dlsym(RTLD_NEXT, "munmap"));
  return function;
}

void* forward_map(void* address, std::size_t length, int protection, int flags, int fd,
                  off_t offset) {
  if (const auto function = next_map()) {
    return function(address, length, protection, flags, fd, offset);
  }
  return reinterpret_cast<void*>(
      ::syscall(SYS_mmap, address, length, protection, flags, fd, offset));
}
int forward_unmap(void* address, std::size_t length) {
  if (const auto function = next_unmap()) return function(address, length);
  return static_cast<int>(::syscall(SYS_munmap, address, length));
}

// What libsodium's Argon2 asks for: fresh private read-write memory, anywhere.
bool is_argon2_request(void* address, std::size_t length, int protection, int flags, int fd) {
  return tls_in_argon2_call && address == nullptr && fd == -1 && length >= kSmallestKeptMapping &&
         protection == (PROT_READ | PROT_WRITE) &&
         (flags & (MAP_ANONYMOUS | MAP_PRIVATE)) == (MAP_ANONYMOUS | MAP_PRIVATE) &&
         (flags & MAP_FIXED) == 0;
}

void wipe_and_unmap(KeptHashRegion& region) noexcept {
  if (region.base == nullptr) return;
  sodium_memzero(region.base, region.size);
  forward_unmap(region.base, region.size);
  region.base = nullptr;
  region.size = 0;
}

// Served from the kept region; nullptr when this call is not one to serve.
void* lend_kept_region(void* address, std::size_t length, int protection, int flags, int fd) {
  KeptHashRegion* region = tls_kept_hash_region;
  if (region == nullptr || region->lent ||
      !is_argon2_request(address, length, protection, flags, fd)) {
    return nullptr;
  }
  if (region->base != nullptr && region->size == length) {
    region->lent = true;
    ++region->reuses;
    return region->base;
  }
  // First use, or a stored hash of another memory cost: keep the new size instead.
  wipe_and_unmap(*region);
  void* fresh = forward_map(nullptr, length, protection, flags, -1, 0);
  if (fresh == MAP_FAILED) return nullptr;  // the caller maps (and fails) on its own
  ::madvise(fresh, length, MADV_DONTDUMP);  // best effort: blocks stay out of core dumps
  region->base = fresh;
  region->size = length;
  region->lent = true;
  return fresh;
}

bool return_kept_region(void* address, std::size_t length) {
  KeptHashRegion* region = tls_kept_hash_region;
  if (region == nullptr || !region->lent || address != region->base || length != region->size) {
    return false;
  }
  region->lent = false;
  return true;
}

}  // namespace

HashMemoryKeeper::HashMemoryKeeper() : region_(nullptr) {
  // A second keeper on the same thread keeps nothing; the first one does.
  if (tls_kept_hash_region != nullptr) return;
  region_ = new KeptHashRegion();
  tls_kept_hash_region = region_;
}

HashMemoryKeeper::~HashMemoryKeeper() {
  if (region_ == nullptr) return;
  release();
  tls_kept_hash_region = nullptr;
  delete region_;
}

void HashMemoryKeeper::release() noexcept {
  // Never while lent: the keeper lives on the thread that hashes, so it cannot be.
  if (region_ != nullptr && !region_->lent) wipe_and_unmap(*region_);
}

std::size_t HashMemoryKeeper::kept_bytes() const noexcept {
  return region_ != nullptr ? region_->size : 0;
}

std::uint64_t HashMemoryKeeper::reuses() const noexcept {
  return region_ != nullptr ? region_->reuses : 0;
}

namespace detail {

KeptHashRegion* kept_region_of_this_thread() noexcept { return tls_kept_hash_region; }

BorrowedHashRegion::BorrowedHashRegion(KeptHashRegion* region) noexcept
    : previous_(std::exchange(tls_kept_hash_region, region)) {}

BorrowedHashRegion::~BorrowedHashRegion() { tls_kept_hash_region = previous_; }

Argon2CallScope::Argon2CallScope() noexcept : outer_(!tls_in_argon2_call) {
  tls_in_argon2_call = true;
}

Argon2CallScope::~Argon2CallScope() {
  if (outer_) tls_in_argon2_call = false;
}

}  // namespace detail
}  // namespace automation::crypto

// ThreadSanitizer maps its shadow memory after the first mmap calls a process makes; an
// instrumented interposer reached then writes to shadow that is not there yet. Under it the
// memory is not kept (each hash maps its own, as libsodium does without this file).
#if !defined(__SANITIZE_THREAD__)

// The process's mmap and munmap. Shared libraries (libsodium among them) reach these; every
// call that is not Argon2's on a keeping thread goes on to the C library unchanged.
extern "C" void* automation_interposed_mmap(void* address, std::size_t length, int protection,
                                            int flags, int fd, off_t offset) noexcept
    __asm__("mmap");
extern "C" int automation_interposed_munmap(void* address, std::size_t length) noexcept
    __asm__("munmap");

extern "C" void* automation_interposed_mmap(void* address, std::size_t length, int protection,
                                            int flags, int fd, off_t offset) noexcept {
  if (void* kept = automation::crypto::lend_kept_region(address, length, protection, flags, fd)) {
    return kept;
  }
  return automation::crypto::forward_map(address, length, protection, flags, fd, offset);
}

extern "C" int automation_interposed_munmap(void* address, std::size_t length) noexcept {
  if (automation::crypto::return_kept_region(address, length)) return 0;
  return automation::crypto::forward_unmap(address, length);
}

#endif  // !defined(__SANITIZE_THREAD__)
