import sys
sys.argv=[sys.argv[0]]+sys.argv[1:]
exec(open('/tmp/idle/agg.py').read().split("d=load(sys.argv[1])")[0])
a=load(sys.argv[1]); b=load(sys.argv[2])
print('totals', sum(v[0] for v in a.values()), sum(v[0] for v in b.values()))
diffs=sorted([(b.get(k,(0,0))[0]-a.get(k,(0,0))[0], b.get(k,(0,0))[1]-a.get(k,(0,0))[1], k[:120]) for k in set(a)|set(b)], key=lambda x:-abs(x[0]))
for x in diffs[:15]: print(x)
