import sys,re
def load(f):
    maps=[];cur=None
    for line in open(f):
        m=re.match(r'^([0-9a-f]+)-([0-9a-f]+) (\S+) \S+ \S+ \S+\s*(.*)$',line)
        if m:
            cur={'start':int(m.group(1),16),'end':int(m.group(2),16),'perm':m.group(3),'name':m.group(4),'rss':0}
            maps.append(cur)
        elif line.startswith('Rss:') and cur: cur['rss']=int(line.split()[1])
    return maps
def cls(m):
    size=m['end']-m['start']
    n=m['name']
    if n.startswith('/'): return 'file:'+('dll' if n.endswith('.dll') else 'so' if '.so' in n else 'other')
    if n: return n
    return 'anon'
def summ(f):
    d={}
    for m in load(f):
        k=cls(m); d[k]=d.get(k,0)+m['rss']
    return d
a=summ(sys.argv[1]); b=summ(sys.argv[2]); n=int(sys.argv[3])
for k in sorted(set(a)|set(b), key=lambda k:-(b.get(k,0)-a.get(k,0))):
    print(f"{k:20} {a.get(k,0)/1024:8.1f} -> {b.get(k,0)/1024:8.1f} MiB  {(b.get(k,0)-a.get(k,0))*1024/n:8.1f} B/conn")
