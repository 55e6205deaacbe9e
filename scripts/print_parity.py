#!/usr/bin/env python3
"""Which packets sniff prints differently from the installed tcpdump, over the shared corpus.

Usage: scripts/print_parity.py [--sniff build/sniff] [--flags "-v"] [--files GLOB] [--summary]

Both tools run with -n (plus --flags) and TZ=UTC over every corpus file matching GLOB
(../shared/corpus/tcpdump-tests/*.pcap* by default). A packet's text starts at a line that starts
with a timestamp. Without --flags the packet lines are compared; with flags, each packet's whole
text. Prints "F file #n", "T tcpdump's text", "S sniff's text" for each differing packet, then
the totals. tests/print_parity_test.cpp holds the floors; this is the tool to find what to fix.
"""
import argparse, fnmatch, os, re, subprocess, sys

here = os.path.dirname(os.path.abspath(__file__))
parser = argparse.ArgumentParser()
parser.add_argument('--sniff', default=os.path.join(here, '..', 'build', 'sniff'))
parser.add_argument('--flags', default='')
parser.add_argument('--files', default='*.pcap*')
parser.add_argument('--corpus', default=os.environ.get('SNIFF_CORPUS', os.path.join(here, '..', '..', 'shared', 'corpus', 'tcpdump-tests')))
parser.add_argument('--summary', action='store_true', help='only the per-file and total counts')
args = parser.parse_args()

stamp = re.compile(r'^\d\d:\d\d:\d\d\.\d{6}')
env = dict(os.environ, TZ='UTC')
flags = args.flags.split()


def packets(cmd):
    try:
        out = subprocess.run(cmd, capture_output=True, env=env, timeout=60).stdout.decode('utf-8', 'replace')
    except subprocess.TimeoutExpired:
        return []
    pk = []
    for line in out.splitlines():
        line = line.rstrip(' ')
        if stamp.match(line) or not pk:
            pk.append([line])
        else:
            pk[-1].append(line)
    return ['\n'.join(p) if flags else p[0] for p in pk]


same = total = 0
for name in sorted(os.listdir(args.corpus)):
    if not fnmatch.fnmatch(name, args.files) or '.pcap' not in name:
        continue
    path = os.path.join(args.corpus, name)
    theirs = packets(['tcpdump', '-n'] + flags + ['-r', path])
    ours = packets([args.sniff, '-n'] + flags + ['-r', path])
    file_same = 0
    for i, t in enumerate(theirs):
        s = ours[i] if i < len(ours) else '<nothing>'
        if s == t:
            file_same += 1
        elif not args.summary:
            print('F %s #%d\nT %s\nS %s' % (name, i + 1, t, s))
    if args.summary and theirs:
        print('%d %d %s' % (file_same, len(theirs), name))
    same += file_same
    total += len(theirs)
print('total: %d of %d packets alike (%.1f%%)' % (same, total, 100.0 * same / max(total, 1)), file=sys.stderr)
