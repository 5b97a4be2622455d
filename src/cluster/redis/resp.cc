#include "cluster/redis/resp.h"

#include <hiredis/hiredis.h>

#include <algorithm>
#include <cstdlib>
#include <new>

namespace gaia::cluster::redis {
namespace {

constexpr int kReserveAtMost = 64;  // what a claimed count may make before its elements arrive

// hiredis calls these as it decodes: each returns where the value lives. The root of a reply is
// a new Reply; a child is appended to its parent array. hiredis builds a reply depth first, in
// order, so when a child is appended its earlier siblings are complete and nothing points into
// them: the parent's vector may grow. Slots are not made up front from the count the server
// claims, so memory follows the bytes that really arrived. Returning nullptr makes hiredis fail
// the stream (as out of memory).
Reply* slot(const redisReadTask* task) {
  if (task->parent == nullptr) return new (std::nothrow) Reply;
  auto* parent = static_cast<Reply*>(task->parent->obj);
  if (task->idx < 0 || static_cast<size_t>(task->idx) != parent->elements.size()) return nullptr;
  return &parent->elements.emplace_back();
}

void* create_string(const redisReadTask* task, char* data, size_t len) {
  Reply* r = slot(task);
  if (r == nullptr) return nullptr;
  r->kind = task->type == REDIS_REPLY_ERROR    ? Reply::Kind::kError
            : task->type == REDIS_REPLY_STATUS ? Reply::Kind::kStatus
                                               : Reply::Kind::kString;
  r->str.assign(data, len);
  return r;
}

void* create_array(const redisReadTask* task, int elements) {
  if (elements < 0 || elements > ReplyReader::kMaxArrayElements) return nullptr;
  Reply* r = slot(task);
  if (r == nullptr) return nullptr;
  r->kind = Reply::Kind::kArray;
  r->elements.reserve(static_cast<size_t>(std::min(elements, kReserveAtMost)));
  return r;
}

void* create_integer(const redisReadTask* task, long long value) {
  Reply* r = slot(task);
  if (r == nullptr) return nullptr;
  r->kind = Reply::Kind::kInteger;
  r->integer = value;
  return r;
}

void* create_nil(const redisReadTask* task) {
  Reply* r = slot(task);
  if (r == nullptr) return nullptr;
  r->kind = Reply::Kind::kNil;
  return r;
}

// hiredis frees only the root of a reply (a partial one too, on error).
void free_object(void* root) { delete static_cast<Reply*>(root); }

redisReplyObjectFunctions kFunctions = {create_string, create_array, create_integer, create_nil,
                                        free_object};

}  // namespace

void append_command(const std::vector<std::string>& argv, std::string& out) {
  std::vector<const char*> args;
  std::vector<size_t> lens;
  args.reserve(argv.size());
  lens.reserve(argv.size());
  for (const std::string& a : argv) {
    args.push_back(a.data());
    lens.push_back(a.size());
  }
  char* cmd = nullptr;
  const int n =
      redisFormatCommandArgv(&cmd, static_cast<int>(argv.size()), args.data(), lens.data());
  if (n > 0) out.append(cmd, static_cast<size_t>(n));
  redisFreeCommand(cmd);
}

ReplyReader::ReplyReader() : reader_(redisReaderCreateWithFunctions(&kFunctions)) {
  if (reader_ == nullptr) throw std::bad_alloc();
}

ReplyReader::~ReplyReader() { redisReaderFree(reader_); }

void ReplyReader::feed(std::string_view bytes) {
  if (failed_ || bytes.empty()) return;
  if (redisReaderFeed(reader_, bytes.data(), bytes.size()) != REDIS_OK) failed_ = true;
}

ReplyReader::Next ReplyReader::next(Reply& out) {
  if (failed_) return Next::kProtocolError;
  void* reply = nullptr;
  if (redisReaderGetReply(reader_, &reply) != REDIS_OK) {
    failed_ = true;
    return Next::kProtocolError;
  }
  if (reply == nullptr) return Next::kNeedMore;
  std::unique_ptr<Reply> root(static_cast<Reply*>(reply));
  out = std::move(*root);
  return Next::kReply;
}

std::string ReplyReader::error() const {
  if (!failed_) return {};
  // hiredis says "out of memory" when one of the callbacks above refused a value.
  if (reader_->err == REDIS_ERR_OOM) {
    return "an array of more than " + std::to_string(kMaxArrayElements) +
           " elements, or out of memory";
  }
  return reader_->errstr[0] != '\0' ? reader_->errstr : "protocol error";
}

}  // namespace gaia::cluster::redis
