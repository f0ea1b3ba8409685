#include "training/distributed_group.h"

#include "api/training_ranks.h"

// Debian builds LibTorch with Gloo; the header shows its declarations only when told so.
#define USE_C10D_GLOO 1
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <glog/logging.h>
#include <stdexcept>

namespace pixelrnn {

namespace {

bool
is_loopback (const std::string &addr)
{
  return addr == "localhost" || addr.rfind ("127.", 0) == 0 || addr == "::1";
}

}  // namespace

namespace {

// c10's errors carry a multi-line C++ backtrace in what(): our messages are one line.
std::string
one_line (const std::exception &e)
{
  const auto *c10_error = dynamic_cast<const c10::Error *> (&e);
  std::string text = c10_error ? c10_error->what_without_backtrace () : e.what ();
  const size_t newline = text.find ('\n');
  return newline == std::string::npos ? text : text.substr (0, newline);
}

}  // namespace

struct DistributedGroup::Impl {
  DistributedSettings settings;
  c10::intrusive_ptr<c10d::Store> store;
  c10::intrusive_ptr<c10d::ProcessGroupGloo> group;

  // The store holds bytes; every key the ranks exchange holds text.
  void put (const std::string &key, const std::string &text)
  {
    store->set (key, std::vector<uint8_t> (text.begin (), text.end ()));
  }
  std::string take (const std::string &key)
  {
    const auto got = store->get (key);
    return std::string (got.begin (), got.end ());
  }

  void wait (const c10::intrusive_ptr<c10d::Work> &work, const char *what)
  {
    try {
      work->wait ();
    } catch (const std::exception &e) {
      throw std::runtime_error (std::string ("rank ") + std::to_string (settings.rank) + ": " +
          what + " failed: another rank stopped or cannot be reached (" + one_line (e) + ")");
    }
  }
};

DistributedGroup::DistributedGroup (const DistributedSettings &s) : impl_ (std::make_unique<Impl> ())
{
  // c10d logs each failure through glog before throwing; our errors already say it in one
  // line. GLOG_minloglevel (glog's own variable) still lets a user see them.
  if (!std::getenv ("GLOG_minloglevel"))
    FLAGS_minloglevel = std::max (FLAGS_minloglevel, 3);
  impl_->settings = s;
  // One deadline for joining: the store's wait and Gloo's connection share it, so that a
  // missing rank is reported after --dist-timeout seconds, not after twice that.
  const auto timeout = std::chrono::milliseconds (1000LL * s.timeout_seconds);
  const auto deadline = std::chrono::steady_clock::now () + timeout;
  auto remaining = [&] () {
    return std::max (std::chrono::milliseconds (1000), std::chrono::duration_cast<std::chrono::milliseconds> (
        deadline - std::chrono::steady_clock::now ()));
  };
  const std::string where = s.master_addr + ":" + std::to_string (s.master_port);
  try {
    c10d::TCPStoreOptions o;
    o.port = (std::uint16_t) s.master_port;
    o.isServer = s.rank == 0;
    o.numWorkers = (std::size_t) s.world_size;
    o.waitWorkers = true;
    o.timeout = timeout;
    impl_->store = c10::make_intrusive<c10d::TCPStore> (s.master_addr, o);
  } catch (const std::exception &e) {
    throw std::runtime_error (s.rank == 0
        ? "rank 0 cannot serve the rendezvous at " + where + " or not all " +
          std::to_string (s.world_size) + " ranks joined within " + std::to_string (s.timeout_seconds) +
          " s (" + one_line (e) + ")"
        : "rank " + std::to_string (s.rank) + " cannot reach the master at " + where + " within " +
          std::to_string (s.timeout_seconds) + " s: is rank 0 running and the port open? (" + one_line (e) + ")");
  }
  agree_on_world_size (remaining ());
  try {
    impl_->store->setTimeout (remaining ());
    auto options = c10d::ProcessGroupGloo::Options::create (remaining ());
    const char *ifname = std::getenv ("GLOO_SOCKET_IFNAME");
    if (ifname && *ifname)
      options->devices.push_back (c10d::ProcessGroupGloo::createDeviceForInterface (ifname));
    else if (is_loopback (s.master_addr))
      options->devices.push_back (c10d::ProcessGroupGloo::createDeviceForHostname ("127.0.0.1"));
    else
      options->devices.push_back (c10d::ProcessGroupGloo::createDefaultDevice ());
    impl_->group = c10::make_intrusive<c10d::ProcessGroupGloo> (impl_->store, s.rank, s.world_size, options);
    // Joined: every later wait (store, collectives) has the whole timeout again.
    impl_->store->setTimeout (timeout);
  } catch (const std::exception &e) {
    throw std::runtime_error ("rank " + std::to_string (s.rank) + " could not connect to the other ranks "
        "through " + where + " (" + one_line (e) + ")");
  }
}

// Before Gloo connects: ranks started with different --world-size would fail inside Gloo
// with an address-size assertion. Each rank compares its world size with rank 0's through
// the store and says which differs; rank 0 hears every verdict of the ranks it expects.
void
DistributedGroup::agree_on_world_size (std::chrono::milliseconds timeout)
{
  const auto &s = impl_->settings;
  std::string verdict;
  try {
    impl_->store->setTimeout (timeout);
    if (s.rank == 0) {
      impl_->put ("pixelrnn/world-size", std::to_string (s.world_size));
      for (int r = 1; r < s.world_size && verdict.empty (); ++r) {
        std::string v;
        try {
          v = impl_->take ("pixelrnn/world-size/" + std::to_string (r));
        } catch (const std::exception &e) {
          throw std::runtime_error ("rank 0: rank " + std::to_string (r) + " of " + std::to_string (s.world_size) +
              " did not join within " + std::to_string (s.timeout_seconds) + " s: is it running, with the "
              "same --master-addr and --master-port? (" + one_line (e) + ")");
        }
        verdict = v == "ok" ? "" : v;
      }
    } else {
      const std::string theirs = impl_->take ("pixelrnn/world-size");
      if (theirs != std::to_string (s.world_size))
        verdict = "world size: rank 0 has " + theirs + ", rank " + std::to_string (s.rank) + " has " +
            std::to_string (s.world_size);
      impl_->put ("pixelrnn/world-size/" + std::to_string (s.rank), verdict.empty () ? "ok" : verdict);
    }
  } catch (const std::runtime_error &e) {
    if (std::string (e.what ()).rfind ("rank 0: rank ", 0) == 0)
      throw;
    throw std::runtime_error ("rank " + std::to_string (s.rank) + ": the ranks could not compare their "
        "world sizes (" + one_line (e) + ")");
  }
  if (!verdict.empty ())
    throw std::runtime_error ("the ranks' settings differ, so none trains: " + verdict +
        " (start every rank with the same --world-size)");
}

DistributedGroup::~DistributedGroup () = default;

int
DistributedGroup::rank () const
{
  return impl_->settings.rank;
}

int
DistributedGroup::world_size () const
{
  return impl_->settings.world_size;
}

void
DistributedGroup::all_reduce_sum (torch::Tensor &flat)
{
  std::vector<torch::Tensor> t{flat};
  c10d::AllreduceOptions options;
  options.timeout = std::chrono::milliseconds (1000LL * impl_->settings.timeout_seconds);
  impl_->wait (impl_->group->allreduce (t, options), "all-reduce");
}

void
DistributedGroup::broadcast (torch::Tensor &tensor)
{
  std::vector<torch::Tensor> t{tensor};
  c10d::BroadcastOptions options;
  options.timeout = std::chrono::milliseconds (1000LL * impl_->settings.timeout_seconds);
  impl_->wait (impl_->group->broadcast (t, options), "broadcast");
}

// "name=value" lines, in order; values hold no newline (they are numbers, names, JSON).
static std::string
settings_text (const std::vector<std::pair<std::string, std::string>> &settings)
{
  std::string text;
  for (const auto &[name, value] : settings)
    text += name + "=" + value + "\n";
  return text;
}

// The first setting that differs, as "NAME: rank 0 has A, rank R has B"; empty when equal.
static std::string
first_difference (const std::string &ours_text, const std::string &theirs_text, int rank)
{
  auto split = [] (const std::string &text) {
    std::vector<std::pair<std::string, std::string>> out;
    size_t at = 0;
    while (at < text.size ()) {
      size_t end = text.find ('\n', at), eq = text.find ('=', at);
      if (end == std::string::npos)
        end = text.size ();
      if (eq == std::string::npos || eq > end)
        eq = end;
      out.emplace_back (text.substr (at, eq - at), eq < end ? text.substr (eq + 1, end - eq - 1) : "");
      at = end + 1;
    }
    return out;
  };
  const auto ours = split (ours_text), theirs = split (theirs_text);
  for (size_t i = 0; i < std::max (ours.size (), theirs.size ()); ++i) {
    const auto a = i < ours.size () ? ours[i] : std::make_pair (std::string ("(none)"), std::string ());
    const auto b = i < theirs.size () ? theirs[i] : std::make_pair (std::string ("(none)"), std::string ());
    if (a.first != b.first)
      return "rank 0 and rank " + std::to_string (rank) + " run different versions (setting '" +
          a.first + "' against '" + b.first + "')";
    if (a.second != b.second)
      return a.first + ": rank 0 has " + b.second + ", rank " + std::to_string (rank) + " has " + a.second;
  }
  return "";
}

void
DistributedGroup::agree (const std::vector<std::pair<std::string, std::string>> &settings)
{
  const auto &s = impl_->settings;
  const std::string mine = settings_text (settings);
  std::string verdict;
  try {
    if (s.rank == 0) {
      impl_->put ("pixelrnn/settings", mine);
      for (int r = 1; r < s.world_size && verdict.empty (); ++r)
        verdict = impl_->take ("pixelrnn/verdict/" + std::to_string (r));
      impl_->put ("pixelrnn/agreed", verdict.empty () ? "ok" : verdict);
    } else {
      const std::string difference = first_difference (mine, impl_->take ("pixelrnn/settings"), s.rank);
      impl_->put ("pixelrnn/verdict/" + std::to_string (s.rank), difference);
      const std::string agreed = impl_->take ("pixelrnn/agreed");
      verdict = agreed == "ok" ? "" : agreed;
    }
  } catch (const std::exception &e) {
    throw std::runtime_error ("rank " + std::to_string (s.rank) + ": the ranks could not compare their "
        "settings within " + std::to_string (s.timeout_seconds) + " s (" + one_line (e) + ")");
  }
  if (!verdict.empty ())
    throw std::runtime_error ("the ranks' settings differ, so none trains: " + verdict +
        " (start every rank with the same options and data)");
}

std::string
DistributedGroup::broadcast_bytes (const std::string &key, const std::string &bytes)
{
  try {
    if (impl_->settings.rank == 0)
      impl_->put (key, bytes);
    return impl_->take (key);
  } catch (const std::exception &e) {
    throw std::runtime_error ("rank " + std::to_string (impl_->settings.rank) + ": could not receive '" +
        key + "' from rank 0 (" + one_line (e) + ")");
  }
}

std::shared_ptr<RankGroup>
join_training_ranks (const DistributedSettings &settings)
{
  auto group = std::make_shared<DistributedGroup> (settings);
  std::printf ("rank %d of %d joined at %s:%d\n", settings.rank, settings.world_size,
      settings.master_addr.c_str (), settings.master_port);
  std::fflush (stdout);
  return group;
}

}  // namespace pixelrnn
