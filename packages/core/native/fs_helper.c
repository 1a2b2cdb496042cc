/*
 * dcmblind's optional native helper: four file-system calls Node does not offer. Without it
 * (not built, not Linux) dcmblind still works: slower copies, no prefetch, and key locks judged
 * by /proc instead of the kernel.
 *
 * copyRange(fdIn, offIn, fdOut, offOut, length): copy a byte range between two files inside
 * the kernel (Linux copy_file_range(2)), as `cp` does. Node has no ranged in-kernel copy; this
 * lets pixel data go from source to output without passing through JavaScript memory.
 * Optional: when it is not built, dcmblind copies through a bounded buffer instead.
 */
#define _GNU_SOURCE
#define _FILE_OFFSET_BITS 64
#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <node_api.h>
#include <string.h>
#include <unistd.h>

static napi_value CopyRange(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value args[5];
  if (napi_get_cb_info(env, info, &argc, args, NULL, NULL) != napi_ok || argc != 5) {
    napi_throw_type_error(env, "EINVAL", "copyRange(fdIn, offIn, fdOut, offOut, length)");
    return NULL;
  }
  int32_t fin, fout;
  int64_t oin, oout, len;
  napi_get_value_int32(env, args[0], &fin);
  napi_get_value_int64(env, args[1], &oin);
  napi_get_value_int32(env, args[2], &fout);
  napi_get_value_int64(env, args[3], &oout);
  napi_get_value_int64(env, args[4], &len);
  off64_t a = oin, b = oout;
  int64_t done = 0;
  while (done < len) {
    ssize_t n = copy_file_range(fin, &a, fout, &b, (size_t)(len - done), 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      const char *code = (errno == EXDEV || errno == ENOSYS || errno == EOPNOTSUPP || errno == EINVAL) ? "ENOTSUP" : (errno == ENOSPC ? "ENOSPC" : "EIO");
      napi_throw_error(env, code, strerror(errno));
      return NULL;
    }
    if (n == 0) break; /* source shorter than asked: the caller checks the count */
    done += n;
  }
  napi_value r;
  napi_create_int64(env, done, &r);
  return r;
}

/*
 * willNeed(path): start reading a file into the page cache in the background
 * (posix_fadvise WILLNEED), so the worker that later reads it does not wait for the disk.
 * Returns nothing and never throws: a file that cannot be opened is reported by that worker.
 */
static napi_value WillNeed(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value args[1];
  char path[4096];
  size_t len = 0;
  if (napi_get_cb_info(env, info, &argc, args, NULL, NULL) != napi_ok || argc != 1) return NULL;
  if (napi_get_value_string_utf8(env, args[0], path, sizeof path, &len) != napi_ok || len >= sizeof path - 1) return NULL;
  int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
  if (fd < 0) return NULL;
  posix_fadvise(fd, 0, 0, POSIX_FADV_WILLNEED);
  close(fd);
  return NULL;
}

/*
 * tryLock(fd): take an exclusive advisory lock (flock(2)) on an open file without waiting.
 * Returns true when this open file now holds it, false when another one does. The kernel
 * drops the lock when its holder's last descriptor closes — when the process exits, is
 * killed, or is a zombie nobody reaps — so a crashed run never blocks the next one.
 */
static napi_value TryLock(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value args[1];
  int32_t fd;
  if (napi_get_cb_info(env, info, &argc, args, NULL, NULL) != napi_ok || argc != 1 || napi_get_value_int32(env, args[0], &fd) != napi_ok) {
    napi_throw_type_error(env, "EINVAL", "tryLock(fd)");
    return NULL;
  }
  int rc;
  do rc = flock(fd, LOCK_EX | LOCK_NB);
  while (rc != 0 && errno == EINTR);
  if (rc != 0 && errno != EWOULDBLOCK) {
    napi_throw_error(env, "EIO", strerror(errno));
    return NULL;
  }
  napi_value r;
  napi_get_boolean(env, rc == 0, &r);
  return r;
}

/*
 * startWriteback(fd): ask the kernel to start writing a finished output's dirty pages to disk
 * now (sync_file_range(2) with SYNC_FILE_RANGE_WRITE: starts the I/O, waits for nothing, makes
 * no durability promise). Without it the kernel holds gigabytes of a run's outputs in memory
 * until its dirty threshold and writes them after the run, so the disk idles while dcmblind
 * computes and the data reaches disk seconds after the run ends. Never throws: a failure only
 * means the kernel writes the pages later, as it would have anyway.
 */
static napi_value StartWriteback(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value args[1];
  int32_t fd;
  if (napi_get_cb_info(env, info, &argc, args, NULL, NULL) != napi_ok || argc != 1 || napi_get_value_int32(env, args[0], &fd) != napi_ok) return NULL;
  sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE);
  return NULL;
}

NAPI_MODULE_INIT() {
  napi_value fn;
  napi_create_function(env, "copyRange", NAPI_AUTO_LENGTH, CopyRange, NULL, &fn);
  napi_set_named_property(env, exports, "copyRange", fn);
  napi_value wn;
  napi_create_function(env, "willNeed", NAPI_AUTO_LENGTH, WillNeed, NULL, &wn);
  napi_set_named_property(env, exports, "willNeed", wn);
  napi_value tl;
  napi_create_function(env, "tryLock", NAPI_AUTO_LENGTH, TryLock, NULL, &tl);
  napi_set_named_property(env, exports, "tryLock", tl);
  napi_value wb;
  napi_create_function(env, "startWriteback", NAPI_AUTO_LENGTH, StartWriteback, NULL, &wb);
  napi_set_named_property(env, exports, "startWriteback", wb);
  return exports;
}
