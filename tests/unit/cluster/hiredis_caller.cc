#include "unit/cluster/hiredis_caller.h"

namespace gaia::testing {
namespace {

using cluster::redis::Reply;

Reply convert(const redisReply* r) {
  Reply out;
  switch (r->type) {
    case REDIS_REPLY_STRING:
      out.kind = Reply::Kind::kString;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_STATUS:
      out.kind = Reply::Kind::kStatus;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_ERROR:
      out.kind = Reply::Kind::kError;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_INTEGER:
      out.kind = Reply::Kind::kInteger;
      out.integer = r->integer;
      break;
    case REDIS_REPLY_ARRAY:
      out.kind = Reply::Kind::kArray;
      for (size_t i = 0; i < r->elements; ++i) out.elements.push_back(convert(r->element[i]));
      break;
    default:
      out.kind = Reply::Kind::kNil;
  }
  return out;
}

}  // namespace

HiredisCaller::HiredisCaller(uint16_t port) : context_(redisConnect("127.0.0.1", port)) {}

HiredisCaller::~HiredisCaller() {
  if (context_) redisFree(context_);
}

Reply HiredisCaller::run(std::vector<std::string> argv) {
  cluster::redis::CallResult result;
  call(std::move(argv), std::chrono::milliseconds(1000),
       [&](cluster::redis::CallResult r) { result = std::move(r); });
  return result.reply;
}

void HiredisCaller::call(std::vector<std::string> argv, std::chrono::milliseconds, Done done) {
  ++calls_;
  std::vector<const char*> args;
  std::vector<size_t> lengths;
  for (const std::string& a : argv) {
    args.push_back(a.data());
    lengths.push_back(a.size());
  }
  cluster::redis::CallResult result;
  auto* r = context_ == nullptr || context_->err
                ? nullptr
                : static_cast<redisReply*>(redisCommandArgv(context_, static_cast<int>(args.size()),
                                                            args.data(), lengths.data()));
  if (r == nullptr) {
    result.error = cluster::redis::CallError::kDisconnected;
  } else {
    result.reply = convert(r);
    freeReplyObject(r);
  }
  done(std::move(result));
}

}  // namespace gaia::testing
