// Blocks in the graph's order; each value computed into a register (32-bit), each test one
// JMP32. Safety proofs come from safety.hpp.
#include <linux/bpf.h>

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cstddef>
#include <map>
#include <optional>

#include "compiler/ebpf/code.hpp"
#include "compiler/ebpf/registers.hpp"
#include "compiler/ebpf/safety.hpp"
#include "compiler/ebpf/set_maps.hpp"
#include "compiler/emit_ebpf.hpp"

namespace sniff {
namespace {

using namespace ebpf::op;
using namespace ebpf_gen;
using ebpf::Hook;

constexpr std::uint32_t kAncillaryBase = 0xfffff000u;
using ir::kAncillaryIfindex, ir::kAncillaryPktType, ir::kAncillaryVlanPresent, ir::kAncillaryVlanTci;

std::uint8_t size_code(std::uint8_t size) { return size == 4 ? W : size == 2 ? H : B; }

std::uint8_t alu_code(ir::ArithOp op) { return ir::bpf_alu_code(op); }

std::uint8_t jump_code(ir::CmpOp op) { return ir::bpf_jump_code(op); }

// The test that holds when `op` does not (none for AnySet).
std::optional<std::uint8_t> inverse_jump_code(ir::CmpOp op) {
    switch (op) {
        case ir::CmpOp::Eq: return JNE;
        case ir::CmpOp::Gt: return JLE;
        case ir::CmpOp::Ge: return JLT;
        case ir::CmpOp::AnySet: return std::nullopt;
    }
    return std::nullopt;
}

// Whether the set is looked up in a map (SetMapOptions).
bool in_map(const cfg::Ranges& r, const SetMapOptions& options) {
    return r.size() >= options.from_ranges && set_map_kind(r, options.in_object).has_value();
}

class Emitter {
public:
    Emitter(const cfg::Graph& g, Hook hook, const EmitOptions& options, const SetMapOptions& maps)
        : g_(g), hook_(hook), options_(options), map_options_(maps) {
        free_ = hook == Hook::Socket ? std::vector<std::uint8_t>{ebpf::R8, ebpf::R7}
                                     : std::vector<std::uint8_t>{ebpf::R5, ebpf::R4, ebpf::R3};
    }

    std::expected<ebpf::Filter, EmitError> run() {
        label_.resize(g_.blocks.size());
        for (int& l : label_) l = code_.new_label();
        reject_ = -1;
        for (cfg::BlockId b = 0; b < g_.blocks.size(); ++b)
            if (g_.blocks[b].exit == cfg::Exit::Return && g_.blocks[b].k == 0) reject_ = label_[b];
        if (reject_ < 0) reject_ = code_.new_label();

        prologue();
        const std::vector<std::uint64_t> guards = direct() ? plan_packet_guards(g_) : std::vector<std::uint64_t>(g_.blocks.size(), 0);
        header_length_in_.assign(g_.blocks.size(), kUnset);
        header_length_in_[g_.entry] = kUnknown;
        for (cfg::BlockId b = 0; b < g_.blocks.size(); ++b) {
            code_.place(label_[b]);
            if (guards[b] == kRejectAll) {
                code_.jump_always(reject_);
                continue;
            }
            if (guards[b]) emit_packet_guard(code_, guards[b], reject_);
            header_length_ = header_length_in_[b] == kUnset ? kUnknown : header_length_in_[b];
            block(b);
            cfg::BlockId out[2];
            for (int i = 0, m = cfg::successors(g_.blocks[b], out); i < m; ++i) {
                std::uint64_t& in = header_length_in_[out[i]];
                in = in == kUnset || in == header_length_ ? header_length_ : kUnknown;
            }
        }
        code_.place(reject_);
        give(0);
        if (error_) return std::unexpected(*error_);
        auto program = code_.resolve();
        if (!program) return std::unexpected(EmitError{program.error()});
        return ebpf::Filter{std::move(*program), std::move(maps_)};
    }

private:
    const cfg::Graph& g_;
    Hook hook_;
    const EmitOptions& options_;
    const SetMapOptions& map_options_;
    std::vector<ebpf::MapSpec> maps_;
    std::map<cfg::SetId, std::int32_t> set_map_;  // a set's map, by index in maps_
    // A tuple set's maps (tuple_maps()): the members, and the index of the first of its maps.
    std::vector<std::pair<const ir::TupleSet*, std::int32_t>> tuple_maps_;
    std::vector<std::pair<const ir::TupleSet*, std::int32_t>> either_maps_;  // either_maps(), likewise
    Code code_;
    std::vector<int> label_;
    int reject_ = -1;
    std::vector<std::uint8_t> free_;  // registers that can keep a value while another is computed
    int spills_ = 0;
    std::optional<EmitError> error_;
    // The IPv4 header length 4 * (packet[k] & 0x0f) kept in r9 (kHeaderLength) once computed,
    // as classic BPF keeps it in X: the k it holds on entry to each block (what every path into
    // the block left there), and now.
    static constexpr std::uint64_t kUnset = ~std::uint64_t{0}, kUnknown = kUnset - 1;
    static constexpr std::uint8_t kHeaderLength = ebpf::R9;
    std::vector<std::uint64_t> header_length_in_;
    std::uint64_t header_length_ = kUnknown;

    // r9 := 4 * (packet[k] & 0x0f), unless it holds that already.
    void header_length(std::uint32_t k) {
        if (header_length_ == k) return;
        constant_read(kHeaderLength, k, 1);
        emit(ebpf::alu32_imm(AND, kHeaderLength, 0x0f));
        emit(ebpf::alu32_imm(LSH, kHeaderLength, 2));
        header_length_ = k;
    }

    // Blocks enough that a chain of tests could fill the verifier's stack of branches (test()).
    bool long_program_ = g_.blocks.size() > 2048;

    bool direct() const { return hook_ != Hook::Socket; }
    void emit(ebpf::Insn in) { code_.emit(in); }

    bool reads_packet() const {
        for (const cfg::Block& b : g_.blocks) {
            if (b.exit == cfg::Exit::Chain || b.exit == cfg::Exit::Tuples) return true;
            for (const cfg::Assign& a : b.assigns)
                if (g_.values.can_fail(a.value)) return true;
            for (cfg::ValueId v : {b.load, b.rhs})
                if (v != cfg::kNoValue && g_.values.can_fail(v)) return true;
        }
        return false;
    }

    bool uses_wire_length() const {
        for (cfg::ValueId v = 0; v < g_.values.size(); ++v)
            if (g_.values[v].kind == cfg::ValueKind::WireLength) return true;
        return false;
    }

    void prologue() {
        emit(ebpf::mov64_reg(kContext, ebpf::R1));
        if (hook_ == Hook::Tc && reads_packet()) {
            // Bytes in the skb's fragments become linear, so direct access sees the whole packet
            // as cBPF's loads do. A failure leaves the skb as it was (shorter data_end).
            emit(ebpf::mov64_reg(ebpf::R1, kContext));
            emit(ebpf::insn(ALU64 | MOV | K, ebpf::R2, 0, 0, 0));
            emit(ebpf::call_helper(BPF_FUNC_skb_pull_data));
        }
        if (direct()) {
            const bool xdp = hook_ == Hook::Xdp;
            emit(ebpf::load_mem(W, kData, kContext, static_cast<std::int16_t>(xdp ? offsetof(xdp_md, data) : offsetof(__sk_buff, data))));
            emit(ebpf::load_mem(W, kDataEnd, kContext,
                                static_cast<std::int16_t>(xdp ? offsetof(xdp_md, data_end) : offsetof(__sk_buff, data_end))));
        }
        if (hook_ == Hook::Xdp && uses_wire_length()) {
            // The frame's whole length, fragments included (Linux 5.18).
            emit(ebpf::mov64_reg(ebpf::R1, kContext));
            emit(ebpf::call_helper(BPF_FUNC_xdp_get_buff_len));
            emit(ebpf::store_mem(DW, ebpf::R10, ebpf::R0, kWireLengthOffset));
        }
        const std::uint32_t slots = zeroed_slots(g_);
        for (std::uint32_t s = 0; s < 32; ++s)
            if (slots & (1u << s)) emit(ebpf::store_imm(DW, ebpf::R10, var_offset(s), 0));
    }

    // The hook's answer: `k` bytes of the packet, 0 for none.
    void give(std::uint32_t k) {
        emit(ebpf::mov32_imm(ebpf::R0, static_cast<std::int32_t>(ebpf::hook_return(hook_, k))));
        emit(ebpf::exit_insn());
    }

    std::optional<std::uint8_t> acquire() {
        if (free_.empty()) return std::nullopt;
        const std::uint8_t r = free_.back();
        free_.pop_back();
        return r;
    }
    void release(std::uint8_t r) { free_.push_back(r); }

    void conditional(std::uint8_t jop, std::uint8_t reg, std::optional<std::uint8_t> other, std::uint32_t k, int t) {
        if (other) code_.jump(ebpf::jmp32_reg(jop, reg, *other, 0), t);
        else code_.jump(ebpf::jmp32_imm(jop, reg, static_cast<std::int32_t>(k), 0), t);
    }

    // A test of the test register (against `other` or `k`) with both ways.
    //
    // The verifier walks the fall-through first and keeps each jump's other way on a stack of at
    // most 8,192 (BPF_COMPLEXITY_LIMIT_JMP_SEQ): a chain of thousands of tests that fall through
    // to the next one (`host a and port 1 or host b and port 2 or …`) fills it. In a long
    // program the next block is therefore the jump's target and the other way falls through to
    // a `ja`: the verifier finishes that side, then takes the chain up again, one entry deep.
    void test(cfg::BlockId b, ir::CmpOp op, std::optional<std::uint8_t> other, std::uint32_t k, int t, int f) {
        const bool has_next = b + 1 < g_.blocks.size();
        const bool t_next = has_next && t == label_[b + 1], f_next = has_next && f == label_[b + 1];
        auto inverse = inverse_jump_code(op);
        if (long_program_ && f_next && inverse) {
            conditional(*inverse, kTest, other, k, f);
            return code_.jump_always(t);
        }
        if (long_program_ && t_next) {
            conditional(jump_code(op), kTest, other, k, t);
            return code_.jump_always(f);
        }
        if (inverse && t_next) return conditional(*inverse, kTest, other, k, f);
        conditional(jump_code(op), kTest, other, k, t);
        code_.jump_always(f);
    }

    void block(cfg::BlockId id) {
        const cfg::Block& b = g_.blocks[id];
        for (const cfg::Assign& a : b.assigns) {
            value(a.value, kTest);
            emit(ebpf::store_mem(DW, ebpf::R10, kTest, var_offset(a.slot)));
        }
        switch (b.exit) {
            case cfg::Exit::Return: return give(b.k);
            case cfg::Exit::Goto:
                if (b.load != cfg::kNoValue) value(b.load, kTest);
                return code_.jump_always(label_[b.jt]);
            case cfg::Exit::Chain: return proto_chain(*b.chain, label_[b.jt], label_[b.jf]);
            case cfg::Exit::Tuples: return tuple_lookup(b, label_[b.jt], label_[b.jf]);
            case cfg::Exit::Test: break;
        }
        if (b.set != cfg::kNoSet) {
            if (b.load != cfg::kNoValue) value(b.load, kTest);
            const cfg::Ranges& r = g_.sets[b.set];
            if (in_map(r, map_options_) && (set_map_.count(b.set) || maps_.size() < map_options_.max_maps))
                return set_lookup(b.set, label_[b.jt], label_[b.jf]);
            return set_tree(r, 0, r.size(), label_[b.jt], label_[b.jf]);
        }
        if (b.rhs == cfg::kNoValue) {
            if (b.load != cfg::kNoValue) value(b.load, kTest);
            return test(id, b.op, std::nullopt, b.k, label_[b.jt], label_[b.jf]);
        }
        // Registers are plenty at the start of a block: none is held.
        const std::uint8_t rhs = *acquire();
        if (b.load != cfg::kNoValue) {
            value(b.rhs, rhs);
            value(b.load, kTest);
        } else {
            // The test register holds the left-hand side; computing the right may clobber it.
            const std::uint8_t lhs = *acquire();
            emit(ebpf::mov32_reg(lhs, kTest));
            value(b.rhs, rhs);
            emit(ebpf::mov32_reg(kTest, lhs));
            release(lhs);
        }
        release(rhs);
        test(id, b.op, rhs, 0, label_[b.jt], label_[b.jf]);
    }

    // A set test of the test register: a balanced tree of `jgt` splits over runs of set_leaf
    // members, each run tested smallest first (as the cBPF emitter's).
    void set_tree(const cfg::Ranges& r, std::size_t begin, std::size_t end, int hit, int miss) {
        const std::size_t leaf = std::max<std::size_t>(options_.set_leaf, 1);
        auto jump = [&](std::uint8_t jop, std::uint32_t k, int t, int f) {
            conditional(jop, kTest, std::nullopt, k, t);
            code_.jump_always(f);
        };
        if (end - begin > leaf) {
            const std::size_t runs = (end - begin + leaf - 1) / leaf, mid = begin + runs / 2 * leaf;
            const int below = code_.new_label(), above = code_.new_label();
            jump(JGT, r[mid - 1].second, above, below);
            code_.place(below);
            set_tree(r, begin, mid, hit, miss);
            code_.place(above);
            return set_tree(r, mid, end, hit, miss);
        }
        // One jump has one target: the run's members jump to a `ja hit` placed after the run, and
        // the last member's failing test jumps to `miss`, so a match in the last falls into it
        // (a `ja` to the next instruction is dropped when `hit` follows). Ranges are tested from
        // below: under one, the value is under every later one too.
        const int run_hit = code_.new_label();
        for (std::size_t i = begin; i < end; ++i) {
            const bool last = i + 1 == end;
            const auto [lo, hi] = r[i];
            if (lo == hi) {
                conditional(last ? JNE : JEQ, kTest, std::nullopt, lo, last ? miss : run_hit);
                continue;
            }
            if (lo != 0) conditional(JLT, kTest, std::nullopt, lo, miss);
            if (hi != 0xffffffffu) conditional(last ? JGT : JLE, kTest, std::nullopt, hi, last ? miss : run_hit);
            else if (!last) code_.jump_always(run_hit);
        }
        code_.place(run_hit);
        code_.jump_always(hit);
    }

    // A set test of the test register through the set's map (SetMapOptions). The test register
    // keeps its value on both ways out, as after set_tree: a later block may test it again.
    void set_lookup(cfg::SetId set, int hit, int miss) {
        const cfg::Ranges& r = g_.sets[set];
        const SetMapKind kind = *set_map_kind(r, map_options_.in_object);
        auto [at, fresh] = set_map_.try_emplace(set, static_cast<std::int32_t>(maps_.size()));
        if (fresh) {
            static constexpr const char* kNames[] = {"sniff_bits", "sniff_hash", "sniff_lpm", "sniff_sorted"};
            maps_.push_back(set_map(r, kind, fmt::format("{}{}", kNames[static_cast<int>(kind)], maps_.size())));
        }
        const std::int32_t map = at->second;
        if (kind == SetMapKind::Bitmap) {
            // bit (v & 7) of byte v >> 3; values above 0xffff are in no such set.
            conditional(JGT, kTest, std::nullopt, 0xffff, miss);
            emit_pair(ebpf::load_map_value(kScratch, map, 0));
            emit(ebpf::mov32_reg(kGuard, kTest));
            emit(ebpf::alu32_imm(RSH, kGuard, 3));
            emit(ebpf::alu64_reg(ADD, kScratch, kGuard));
            emit(ebpf::load_mem(B, kScratch, kScratch, 0));
            emit(ebpf::mov32_reg(kGuard, kTest));
            emit(ebpf::alu32_imm(AND, kGuard, 7));
            emit(ebpf::alu32_reg(RSH, kScratch, kGuard));
            code_.jump(ebpf::jmp32_imm(JSET, kScratch, 1, 0), hit);
            return code_.jump_always(miss);
        }
        if (kind == SetMapKind::SortedRanges) return sorted_search(map, sorted_ranges_slots(r.size()), hit, miss);
        // The key on the stack, below the prologue variables (registers.hpp): the value (Hash), or
        // {32, the value big-endian} (Prefixes, struct bpf_lpm_trie_key).
        const std::int16_t key = spill_offset(0);
        const std::int16_t value_at = kind == SetMapKind::Hash ? key : static_cast<std::int16_t>(key + 4);
        if (kind == SetMapKind::Prefixes) {
            emit(ebpf::store_imm(W, ebpf::R10, key, 32));
            emit(ebpf::mov32_reg(kScratch, kTest));
            emit(ebpf::to_big_endian(kScratch, 32));
            emit(ebpf::store_mem(W, ebpf::R10, kScratch, value_at));
        } else {
            emit(ebpf::store_mem(W, ebpf::R10, kTest, value_at));
        }
        lookup(map, key);
        // The call clobbered r0-r5: the value comes back from the key.
        emit(ebpf::mov64_reg(kScratch, ebpf::R0));
        emit(ebpf::load_mem(W, kTest, ebpf::R10, value_at));
        if (kind == SetMapKind::Prefixes) emit(ebpf::to_big_endian(kTest, 32));
        code_.jump(ebpf::jmp64_imm(JNE, kScratch, 0, 0), hit);
        code_.jump_always(miss);
    }

    // The maps of a tuple set of k words: for j = 1..k, a hash of the members' first j words
    // (4 bytes a word, host byte order, as the program stores them); the last is the set itself.
    // Tuple sets with the same members (the source and the destination of one list) share them.
    std::int32_t tuple_maps(const ir::TupleSet& t) {
        for (const auto& [other, first] : tuple_maps_)
            if (other == &t || (other->words.size() == t.words.size() && other->members == t.members)) return first;
        const auto first = static_cast<std::int32_t>(maps_.size());
        const std::size_t k = t.words.size();
        for (std::size_t j = 1; j <= k; ++j) {
            ebpf::MapSpec m;
            m.type = BPF_MAP_TYPE_HASH;
            m.name = fmt::format("sniff_tup{}_{}", first, j);
            m.key_size = static_cast<std::uint32_t>(4 * j);
            m.value_size = 1;
            std::vector<std::uint32_t> previous;
            for (const auto& member : t.members) {  // sorted: equal prefixes are adjacent
                std::vector<std::uint32_t> prefix(member.begin(), member.begin() + static_cast<std::ptrdiff_t>(j));
                if (!m.keys.empty() && prefix == previous) continue;
                const auto* bytes = reinterpret_cast<const std::uint8_t*>(prefix.data());
                m.keys.insert(m.keys.end(), bytes, bytes + 4 * j);
                previous = std::move(prefix);
            }
            m.values.assign(m.keys.size() / m.key_size, 1);
            m.max_entries = static_cast<std::uint32_t>(m.values.size());
            maps_.push_back(std::move(m));
        }
        tuple_maps_.emplace_back(&t, first);
        return first;
    }

    bool has_tuple_maps(const ir::TupleSet& t) const {
        for (const auto& [other, first] : tuple_maps_)
            if (other == &t || (other->words.size() == t.words.size() && other->members == t.members)) return true;
        return false;
    }

    // A tuple set without maps (the program's map budget is spent): each member's words compared
    // in turn, as the list compared them. A word is read only where the words before it are this
    // member's, so the reads, and the frames rejected for a read past their end, are the list's.
    void tuple_comparisons(const cfg::Block& b, int hit, int miss) {
        const auto& members = b.tuple->members;
        for (std::size_t m = 0; m < members.size(); ++m) {
            const int next = m + 1 < members.size() ? code_.new_label() : miss;
            for (std::size_t j = 0; j < b.tuple_words.size(); ++j) {
                checked_value(b.tuple_words[j], kTest);
                conditional(JNE, kTest, std::nullopt, members[m][j], next);
            }
            code_.jump_always(hit);
            if (next != miss) code_.place(next);
        }
    }

    // A tuple set's test (ir::TupleSet), word after word as the list it stands for reads them:
    // word j is read (a read past the packet rejects it) only when words 0..j-1 are some member's
    // first j, which the hash of j-word prefixes says; the last lookup is the set itself. k
    // lookups, on a 16-byte key below the prologue variables (registers.hpp).
    void tuple_lookup(const cfg::Block& b, int hit, int miss) {
        if (b.tuple->either) return either_lookup(b, hit, miss);
        if (!has_tuple_maps(*b.tuple) && maps_.size() + b.tuple_words.size() > map_options_.max_maps)
            return tuple_comparisons(b, hit, miss);
        const std::int32_t first = tuple_maps(*b.tuple);
        const std::int16_t key = spill_offset(1);  // 16 bytes: spill slots 1 and 0
        for (std::size_t j = 0; j < b.tuple_words.size(); ++j) {
            checked_value(b.tuple_words[j], kTest);
            emit(ebpf::store_mem(W, ebpf::R10, kTest, static_cast<std::int16_t>(key + 4 * static_cast<int>(j))));
            lookup(first + static_cast<std::int32_t>(j), key);
            code_.jump(ebpf::jmp64_imm(JEQ, ebpf::R0, 0, 0), miss);
        }
        code_.jump_always(hit);
    }

    // The maps of an either-tuple set of k-word fields: for j = 1..k, a hash from the members'
    // first j words (as tuple_maps()) to the least index of a member that starts so (4 bytes);
    // the last holds each member's own index.
    std::int32_t either_maps(const ir::TupleSet& t) {
        for (const auto& [other, first] : either_maps_)
            if (other == &t) return first;
        const auto first = static_cast<std::int32_t>(maps_.size());
        const std::size_t k = t.words.size() / 2;
        for (std::size_t j = 1; j <= k; ++j) {
            std::map<std::vector<std::uint32_t>, std::uint32_t> least;
            for (std::size_t m = 0; m < t.members.size(); ++m)
                least.try_emplace(std::vector<std::uint32_t>(t.members[m].begin(), t.members[m].begin() + static_cast<std::ptrdiff_t>(j)),
                                  static_cast<std::uint32_t>(m));
            ebpf::MapSpec map;
            map.type = BPF_MAP_TYPE_HASH;
            map.name = fmt::format("sniff_either{}_{}", first, j);
            map.key_size = static_cast<std::uint32_t>(4 * j);
            map.value_size = 4;
            for (const auto& [prefix, index] : least) {
                const auto* key = reinterpret_cast<const std::uint8_t*>(prefix.data());
                map.keys.insert(map.keys.end(), key, key + 4 * j);
                const auto* value = reinterpret_cast<const std::uint8_t*>(&index);
                map.values.insert(map.values.end(), value, value + 4);
            }
            map.max_entries = static_cast<std::uint32_t>(least.size());
            maps_.push_back(std::move(map));
        }
        either_maps_.emplace_back(&t, first);
        return first;
    }

    // Whether reading the whole first field before anything else rejects the packets the list
    // rejects: where a word of it lies past the packet, so does the first word the list reads
    // (the first field's first), or the one it reads next when that mismatches (the second
    // field's first). So for the fields at constant offsets from one base: `ip6 host` (the
    // destination follows the source) and `ether host` (a source's first read, its last four
    // bytes, reaches furthest).
    bool first_field_faults_as_a_whole(const cfg::Block& b) const {
        const std::size_t k = b.tuple_words.size() / 2;
        std::uint64_t last = 0;
        std::vector<std::uint64_t> ends;
        for (cfg::ValueId w : b.tuple_words) {
            const cfg::ValueNode& n = g_.values[w];
            if (n.kind != cfg::ValueKind::Load || ir::is_kernel_metadata(n.k) || n.index != g_.values[b.tuple_words[0]].index) return false;
            ends.push_back(std::uint64_t{n.k} + n.size);
        }
        for (std::size_t j = 0; j < k; ++j) last = std::max(last, ends[j]);
        return last <= std::max(ends[0], ends[k]);
    }

    // An either-tuple set without maps: the list itself, member after member, first field then second.
    void either_comparisons(const cfg::Block& b, int hit, int miss) {
        const auto& members = b.tuple->members;
        const std::size_t k = b.tuple_words.size() / 2;
        for (std::size_t m = 0; m < members.size(); ++m) {
            for (std::size_t field = 0; field < 2; ++field) {
                const int next = m + 1 < members.size() || field == 0 ? code_.new_label() : miss;
                for (std::size_t j = 0; j < k; ++j) {
                    checked_value(b.tuple_words[field * k + j], kTest);
                    conditional(JNE, kTest, std::nullopt, members[m][j], next);
                }
                code_.jump_always(hit);
                if (next != miss) code_.place(next);
            }
        }
    }

    // r0 := the map's lookup of the key at `key` (clobbers r1-r5).
    void lookup(std::int32_t map, std::int16_t key) {
        emit_pair(ebpf::load_map(ebpf::R1, map));
        emit(ebpf::mov64_reg(ebpf::R2, ebpf::R10));
        emit(ebpf::alu64_imm(ADD, ebpf::R2, key));
        emit(ebpf::call_helper(BPF_FUNC_map_lookup_elem));
    }

    // An either-tuple set's test (ir::TupleSet::either), with the list's answer on every packet.
    // The list tests member after member the first field, then the second, each word by word up
    // to a mismatch. Let `a` be the index of the member the whole first field is (none: past
    // every index). The list reads word j of the second field only for the members before `a`,
    // and then only for those whose words before j are the field's, so exactly when the least
    // such index (the prefix hashes, either_maps()) is under `a`; a read past the packet rejects
    // it. When every word it reads is there, the answer is `a` is a member, or the second field is.
    // The first field is read whole up front (first_field_faults_as_a_whole()).
    void either_lookup(const cfg::Block& b, int hit, int miss) {
        const std::size_t k = b.tuple_words.size() / 2;
        const bool has_maps = std::any_of(either_maps_.begin(), either_maps_.end(), [&](const auto& e) { return e.first == b.tuple.get(); });
        if (!first_field_faults_as_a_whole(b) || (!has_maps && maps_.size() + k > map_options_.max_maps))
            return either_comparisons(b, hit, miss);
        const std::int32_t first = either_maps(*b.tuple);
        const std::int32_t whole = first + static_cast<std::int32_t>(k) - 1;
        constexpr std::uint32_t kNone = 0xffffffffu;
        // A word's value may spill below the key (16 bytes: slots 1 and 0) and `a` (slot 2).
        const int spills = spills_;
        spills_ = std::max(spills_, 3);
        const std::int16_t key = spill_offset(1), first_index = spill_offset(2);
        auto store_word = [&](std::size_t word, std::size_t j) {
            checked_value(b.tuple_words[word], kTest);
            emit(ebpf::store_mem(W, ebpf::R10, kTest, static_cast<std::int16_t>(key + 4 * static_cast<int>(j))));
        };
        for (std::size_t j = 0; j < k; ++j) store_word(j, j);
        lookup(whole, key);
        const int none = code_.new_label(), known = code_.new_label(), decided = code_.new_label();
        code_.jump(ebpf::jmp64_imm(JEQ, ebpf::R0, 0, 0), none);
        emit(ebpf::load_mem(W, ebpf::R1, ebpf::R0, 0));
        code_.jump_always(known);
        code_.place(none);
        emit(ebpf::mov32_imm(ebpf::R1, static_cast<std::int32_t>(kNone)));
        code_.place(known);
        emit(ebpf::store_mem(W, ebpf::R10, ebpf::R1, first_index));
        // Member 0 starts every second field: its word 0 is read unless `a` is 0.
        conditional(JEQ, ebpf::R1, std::nullopt, 0, hit);
        for (std::size_t j = 0; j < k; ++j) {
            if (j > 0) {
                lookup(first + static_cast<std::int32_t>(j) - 1, key);
                code_.jump(ebpf::jmp64_imm(JEQ, ebpf::R0, 0, 0), decided);
                emit(ebpf::load_mem(W, ebpf::R1, ebpf::R0, 0));
                emit(ebpf::load_mem(W, ebpf::R2, ebpf::R10, first_index));
                conditional(JGE, ebpf::R1, ebpf::R2, 0, decided);
            }
            store_word(k + j, j);
        }
        // Every word of both fields read: a hit if either is a member.
        emit(ebpf::load_mem(W, ebpf::R1, ebpf::R10, first_index));
        conditional(JNE, ebpf::R1, std::nullopt, kNone, hit);
        lookup(whole, key);
        code_.jump(ebpf::jmp64_imm(JNE, ebpf::R0, 0, 0), hit);
        code_.jump_always(miss);
        // No member before `a` has the second field's words so far: the first field decides.
        code_.place(decided);
        emit(ebpf::load_mem(W, ebpf::R1, ebpf::R10, first_index));
        conditional(JNE, ebpf::R1, std::nullopt, kNone, hit);
        code_.jump_always(miss);
        spills_ = spills;
    }

    // The value into `dst` where each packet read is checked by itself: at XDP and TC a read at
    // a constant offset is otherwise proven by its block's guard (safety.hpp), which a tuple's
    // words, read one by one as the lookups allow, do not get.
    void checked_value(cfg::ValueId id, std::uint8_t dst) {
        const cfg::ValueNode& n = g_.values[id];
        if (!direct() || n.kind != cfg::ValueKind::Load || n.index != cfg::kNoValue || ir::is_kernel_metadata(n.k)) return value(id, dst);
        const std::uint8_t zero = *acquire();
        emit(ebpf::mov32_imm(zero, 0));
        read(dst, zero, 0, n.k, n.size);
        release(zero);
    }

    // The value in the test register against a SortedRanges array of `slots` {lo, hi} pairs (a
    // power of two): a binary search for the last pair whose lo is at most the value, unrolled and
    // without branches, so the verifier walks one path whatever the size. Each step moves r1 up
    // by `half` pairs when that pair's lo <= value: the 64-bit difference value - lo is negative
    // exactly when it is not, and its sign (0 or -1, by an arithmetic shift) plus 1 is the step.
    // The verifier bounds r1 within the array from those shifts. Then a hit is lo <= value <= hi.
    void sorted_search(std::int32_t map, std::size_t slots, int hit, int miss) {
        constexpr std::uint8_t kAt = ebpf::R1, kWord = ebpf::R2, kStep = ebpf::R3;
        emit_pair(ebpf::load_map_value(kAt, map, 0));
        for (std::size_t half = slots / 2; half >= 1; half /= 2) {
            const std::size_t bytes = half * 8;
            if (bytes <= 0x7fff) {
                emit(ebpf::load_mem(W, kWord, kAt, static_cast<std::int16_t>(bytes)));
            } else {
                emit(ebpf::mov64_reg(kWord, kAt));
                emit(ebpf::alu64_imm(ADD, kWord, static_cast<std::int32_t>(bytes)));
                emit(ebpf::load_mem(W, kWord, kWord, 0));
            }
            emit(ebpf::mov64_reg(kStep, kTest));  // w-operations leave the upper half zero
            emit(ebpf::alu64_reg(SUB, kStep, kWord));
            emit(ebpf::alu64_imm(ARSH, kStep, 63));
            emit(ebpf::alu64_imm(ADD, kStep, 1));
            emit(ebpf::alu64_imm(LSH, kStep, std::countr_zero(bytes)));
            emit(ebpf::alu64_reg(ADD, kAt, kStep));
        }
        emit(ebpf::load_mem(W, kWord, kAt, 0));
        conditional(JLT, kTest, kWord, 0, miss);
        emit(ebpf::load_mem(W, kWord, kAt, 4));
        conditional(JGT, kTest, kWord, 0, miss);
        code_.jump_always(hit);
    }

    void emit_pair(const std::array<ebpf::Insn, 2>& two) {
        emit(two[0]);
        emit(two[1]);
    }

    // libpcap's gen_protochain walk as a loop: the test register holds the protocol, `at` where
    // its header starts past the network header's constant offset, `steps` how many more headers
    // may be stepped over. Each header read is checked (safety.hpp).
    void proto_chain(const ir::ProtoChain& c, int t, int f) {
        // r9 serves as the step's length: the header length it kept is forgotten.
        const std::uint8_t at = *acquire(), steps = *acquire(), length = kHeaderLength;
        header_length_ = kUnknown;
        const std::uint32_t k = c.network;
        constexpr std::uint64_t kAnyIndex = 0xffffffffu;
        // The protocol goes into the test register last: on the socket filter each packet load
        // passes through r0.
        if (c.base) {
            emit(ebpf::load_mem(DW, at, ebpf::R10, var_offset(c.base->slot)));
            if (c.ipv6) {
                read(kTest, at, kAnyIndex, k + 6, 1);
                emit(ebpf::alu32_imm(ADD, at, 40));
            } else {
                read(length, at, kAnyIndex, k, 1);
                read(kTest, at, kAnyIndex, k + 9, 1);
                emit(ebpf::alu32_imm(AND, length, 0x0f));
                emit(ebpf::alu32_imm(LSH, length, 2));
                emit(ebpf::alu32_reg(ADD, at, length));
            }
        } else if (c.ipv6) {
            constant_read(kTest, k + 6, 1);
            emit(ebpf::mov32_imm(at, 40));
        } else {
            constant_read(at, k, 1);
            emit(ebpf::alu32_imm(AND, at, 0x0f));
            emit(ebpf::alu32_imm(LSH, at, 2));
            constant_read(kTest, k + 9, 1);
        }
        emit(ebpf::mov32_imm(steps, static_cast<std::int32_t>(c.max_headers)));
        const int loop = code_.new_label(), extension = code_.new_label(), auth = code_.new_label(), step = code_.new_label(),
                  end = code_.new_label();
        // At `label`: the header's length, (its second byte + `add`) << `shift` bytes; one step
        // fewer left, or the packet rejected when none is.
        auto header_length_step = [&](int label, std::int32_t add, std::int32_t shift) {
            code_.place(label);
            code_.jump(ebpf::jmp32_imm(JEQ, steps, 0, 0), reject_);
            read(length, at, kAnyIndex, k + 1, 1);
            emit(ebpf::alu32_imm(ADD, length, add));
            emit(ebpf::alu32_imm(LSH, length, shift));
        };
        code_.place(loop);
        conditional(JEQ, kTest, std::nullopt, c.target, end);
        // AH (RFC 4302): (length + 2) * 4 bytes; extension headers (length + 1) * 8. The
        // extension headers' step falls through: the verifier walks it first, and its wider
        // range of lengths then covers AH's, so their states prune one another.
        if (c.ipv6) {
            conditional(JEQ, kTest, std::nullopt, ir::kAuthHeader, auth);
            for (std::size_t i = 0; i + 1 < std::size(ir::kExtensionHeaders); ++i)
                conditional(JEQ, kTest, std::nullopt, ir::kExtensionHeaders[i], extension);
            // No-next-header (59) and everything else not followed stop here, as in libpcap.
            conditional(JNE, kTest, std::nullopt, ir::kExtensionHeaders[std::size(ir::kExtensionHeaders) - 1], end);
            header_length_step(extension, 1, 3);
            code_.jump_always(step);
        } else {
            conditional(JNE, kTest, std::nullopt, ir::kAuthHeader, end);
        }
        header_length_step(auth, 2, 2);
        code_.place(step);
        read(kTest, at, kAnyIndex, k, 1);
        emit(ebpf::alu32_reg(ADD, at, length));
        emit(ebpf::alu32_imm(SUB, steps, 1));
        code_.jump_always(loop);
        code_.place(end);
        // The walk's registers are dead from here: zeroed, so that the verifier's states after
        // each of its exits are alike and prune one another.
        for (std::uint8_t r : {at, steps, length}) emit(ebpf::mov32_imm(r, 0));
        header_length_ = kUnknown;
        conditional(JEQ, kTest, std::nullopt, c.target, t);
        code_.jump_always(f);
        release(steps), release(at);
    }

    // `size` bytes at constant offset k into `dst`.
    void constant_read(std::uint8_t dst, std::uint32_t k, std::uint8_t size) {
        if (ir::is_kernel_metadata(k)) return ancillary(dst, k);
        if (k >= ir::kFirstImpossibleOffset) return code_.jump_always(reject_);  // past every packet
        if (!direct()) {
            if (k > 0x7fffffff) return code_.jump_always(reject_);  // beyond any packet, as in the VM
            emit(ebpf::load_abs(size_code(size), static_cast<std::int32_t>(k)));
            if (dst != ebpf::R0) emit(ebpf::mov32_reg(dst, ebpf::R0));
            return;
        }
        // The block's guard proved [0, k + size) present (plan_packet_guards).
        if (std::uint64_t{k} + size > kMaxPacketOffset) return code_.jump_always(reject_);
        if (k <= 0x7fff) {
            emit(ebpf::load_mem(size_code(size), dst, kData, static_cast<std::int16_t>(k)));
        } else {
            emit(ebpf::mov64_reg(kScratch, kData));
            emit(ebpf::alu64_imm(ADD, kScratch, static_cast<std::int32_t>(k)));
            emit(ebpf::load_mem(size_code(size), dst, kScratch, 0));
        }
        if (size > 1) emit(ebpf::to_big_endian(dst, size * 8));
    }

    void read(std::uint8_t dst, std::uint8_t index, std::uint64_t bound, std::uint32_t k, std::uint8_t size) {
        emit_variable_read(code_, direct(), dst, index, bound, k, size, reject_);
    }

    // Linux's ancillary fields, from the context.
    void ancillary(std::uint8_t dst, std::uint32_t k) {
        if (hook_ == Hook::Xdp) {
            // No skb: every frame is received (PACKET_HOST), no tag has been taken out.
            if (k == kAncillaryIfindex) return emit(ebpf::load_mem(W, dst, kContext, offsetof(xdp_md, ingress_ifindex)));
            if (k == kAncillaryPktType || k == kAncillaryVlanTci || k == kAncillaryVlanPresent) return emit(ebpf::mov32_imm(dst, 0));
        } else {
            std::optional<std::size_t> field;
            if (k == kAncillaryPktType) field = offsetof(__sk_buff, pkt_type);
            if (k == kAncillaryIfindex) field = offsetof(__sk_buff, ifindex);
            if (k == kAncillaryVlanTci) field = offsetof(__sk_buff, vlan_tci);
            if (k == kAncillaryVlanPresent) field = offsetof(__sk_buff, vlan_present);
            if (field) return emit(ebpf::load_mem(W, dst, kContext, static_cast<std::int16_t>(*field)));
        }
        error_ = EmitError{fmt::format("Linux ancillary field at SKF_AD_OFF + {} has no eBPF equivalent at the {} hook", k - kAncillaryBase,
                                       ebpf::hook_name(hook_))};
    }

    // An upper bound of the value (for the legacy loads' offsets).
    std::uint64_t bound(cfg::ValueId id) const {
        const cfg::ValueNode& n = g_.values[id];
        constexpr std::uint64_t kAny = 0xffffffffu;
        switch (n.kind) {
            case cfg::ValueKind::Const: return n.k;
            case cfg::ValueKind::IpHeaderLength: return 60;
            case cfg::ValueKind::Load: return n.k >= kAncillaryBase ? kAny : n.size == 1 ? 0xff : n.size == 2 ? 0xffff : kAny;
            case cfg::ValueKind::Arith: {
                const std::uint64_t l = bound(n.lhs), r = bound(n.rhs);
                switch (n.op) {
                    case ir::ArithOp::And: return std::min(l, r);
                    case ir::ArithOp::Add: return std::min(l + r, kAny);
                    case ir::ArithOp::Mul: return l && r && l > kAny / r ? kAny : l * r;
                    case ir::ArithOp::Div: return l;
                    case ir::ArithOp::Mod: return r ? std::min(l, r - 1) : l;
                    case ir::ArithOp::Rsh: return l;
                    default: return kAny;
                }
            }
            default: return kAny;
        }
    }

    // Computes the value into `dst` (32 bits, zero-extended); registers other than dst, r1, r2
    // and (socket filter) r0 keep what they held.
    void value(cfg::ValueId id, std::uint8_t dst) {
        const cfg::ValueNode& n = g_.values[id];
        switch (n.kind) {
            case cfg::ValueKind::Const: return emit(ebpf::mov32_imm(dst, static_cast<std::int32_t>(n.k)));
            case cfg::ValueKind::WireLength:
                if (hook_ == Hook::Xdp) return emit(ebpf::load_mem(DW, dst, ebpf::R10, kWireLengthOffset));
                return emit(ebpf::load_mem(W, dst, kContext, offsetof(__sk_buff, len)));
            case cfg::ValueKind::Var: return emit(ebpf::load_mem(DW, dst, ebpf::R10, var_offset(n.k)));
            case cfg::ValueKind::IpHeaderLength:
                header_length(n.k);
                return emit(ebpf::mov32_reg(dst, kHeaderLength));
            case cfg::ValueKind::Load:
                if (n.index == cfg::kNoValue) return constant_read(dst, n.k, n.size);
                if (g_.values[n.index].kind == cfg::ValueKind::IpHeaderLength) {
                    header_length(g_.values[n.index].k);
                    return read(dst, kHeaderLength, 60, n.k, n.size);
                }
                value(n.index, dst);
                // At XDP and TC the verifier knows no bound of a computed index: it is tested.
                return read(dst, dst, direct() ? 0xffffffffu : bound(n.index), n.k, n.size);
            case cfg::ValueKind::Arith: break;
        }
        if (n.op == ir::ArithOp::Sub && g_.values.constant(n.lhs) == 0u) {  // unary minus
            value(n.rhs, dst);
            return emit(ebpf::alu32_imm(NEG, dst, 0));
        }
        const std::uint8_t aop = alu_code(n.op);
        const bool shift = n.op == ir::ArithOp::Lsh || n.op == ir::ArithOp::Rsh;
        const bool divide = n.op == ir::ArithOp::Div || n.op == ir::ArithOp::Mod;
        if (auto k = g_.values.constant(n.rhs)) {
            value(n.lhs, dst);
            if (shift && *k >= 32) return emit(ebpf::mov32_imm(dst, 0));  // the VM's answer
            if (divide && *k == 0) return code_.jump_always(reject_);
            return emit(ebpf::alu32_imm(aop, dst, static_cast<std::int32_t>(*k)));
        }
        std::uint8_t operand = kScratch;
        std::optional<std::uint8_t> held = acquire();
        if (held) {
            value(n.rhs, *held);
            value(n.lhs, dst);
            operand = *held;
        } else {
            // No register left: the right-hand side waits on the stack.
            if (spills_ >= kMaxSpills) {
                error_ = EmitError{"expression nests too deeply for eBPF's 512-byte stack"};
                return;
            }
            const std::int16_t slot = spill_offset(spills_++);
            value(n.rhs, dst);
            emit(ebpf::store_mem(DW, ebpf::R10, dst, slot));
            value(n.lhs, dst);
            emit(ebpf::load_mem(DW, kScratch, ebpf::R10, slot));
            --spills_;
        }
        if (divide) emit_divisor_guard(code_, operand, reject_);
        if (shift) emit_shift(code_, aop, dst, operand);
        else emit(ebpf::alu32_reg(aop, dst, operand));
        if (held) release(*held);
    }
};

}  // namespace

bool has_set_map(const cfg::Graph& graph, const SetMapOptions& maps) {
    for (const cfg::Block& b : graph.blocks)
        if (b.exit == cfg::Exit::Test && b.set != cfg::kNoSet && in_map(graph.sets[b.set], maps)) return true;
    return false;
}

std::expected<ebpf::Filter, EmitError> emit_ebpf(const cfg::Graph& graph, ebpf::Hook hook, const EmitOptions& options,
                                                 const SetMapOptions& maps) {
    return Emitter{graph, hook, options, maps}.run();
}

}  // namespace sniff
