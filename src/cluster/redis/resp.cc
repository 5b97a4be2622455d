#include "cluster/redis/resp.h"

#include <hiredis/hiredis.h>

#include <cstdlib>
#include <new>

namespace gaia::cluster::redis {
namespace {

// hiredis calls these as it decodes: each returns where the value lives. The root of a reply is
// a new Reply; a child is the slot its parent array made for it (the array's elements are sized
// once, in create_array, so the slots never move). Returning nullptr makes hiredis fail the
// stream with an out-of-memory error.
Reply* slot(const redisReadTask* task) {
  if (task->parent == nullptr) return new (std::nothrow) Reply;
  auto* parent = static_cast<Reply*>(task->parent->obj);
  return &parent->elements[static_cast<size_t>(task->idx)];
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
  r->elements.resize(static_cast<size_t>(elements));
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
  return reader_->errstr[0] != '\0' ? reader_->errstr : "protocol error";
}

}  // namespace gaia::cluster::redis
