import re,sys
def load(f):
    d={}
    for line in open(f):
        m=re.match(r'\s*([\d,]+)\s+([\d,]+)\s+(.*)$',line)
        if m:
            s=int(m.group(1).replace(',',''));c=int(m.group(2).replace(',',''))
            k=m.group(3).strip()
            o=d.get(k,(0,0)); d[k]=(o[0]+s*c,o[1]+c)
    return d
a=load(sys.argv[1]); b=load(sys.argv[2]); n=int(sys.argv[3]) if len(sys.argv)>3 else 25
print('totals bytes', sum(v[0] for v in a.values()), sum(v[0] for v in b.values()), 'objects', sum(v[1] for v in a.values()), sum(v[1] for v in b.values()))
diffs=[(b.get(k,(0,0))[0]-a.get(k,(0,0))[0], b.get(k,(0,0))[1]-a.get(k,(0,0))[1], k[:150]) for k in set(a)|set(b)]
diffs.sort(key=lambda x:-abs(x[0]))
for x in diffs[:n]: print(x)
