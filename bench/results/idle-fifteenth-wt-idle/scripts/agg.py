import re,sys
def load(f):
    d={}
    for line in open(f):
        m=re.match(r'\s*([\d,]+)\s+([\d,]+)\s+(.*)$',line)
        if m:
            s=int(m.group(1).replace(',',''));c=int(m.group(2).replace(',',''))
            k=re.sub(r'\s*\(Bytes > \d+K?\)','',m.group(3).strip())
            o=d.get(k,(0,0)); d[k]=(o[0]+s*c,o[1]+c)
    return d
d=load(sys.argv[1]); minc=int(sys.argv[2]) if len(sys.argv)>2 else 5000
tot=sum(v[0] for v in d.values())
print('total',tot,'objects',sum(v[1] for v in d.values()))
rows=sorted([(v[0],v[1],k) for k,v in d.items() if v[1]>=minc],reverse=True)
s=0
for b,c,k in rows:
    s+=b; print(f"{b:>12,} {c:>8,} {b/c:8.1f} {k[:140]}")
print('sum of these',s)
