import sys,re
sys.path.insert(0,'/tmp/idle')
def load(f):
    maps=[];cur=None
    for line in open(f):
        m=re.match(r'^([0-9a-f]+)-([0-9a-f]+) (\S+) \S+ \S+ \S+\s*(.*)$',line)
        if m:
            cur={'start':int(m.group(1),16),'end':int(m.group(2),16),'perm':m.group(3),'name':m.group(4),'rss':0}
            maps.append(cur)
        elif line.startswith('Rss:') and cur: cur['rss']=int(line.split()[1])
    return [m for m in maps if not m['name']]
def groups(f):
    d={}
    for m in load(f):
        k=m['start']>>32  # 4 GiB granules
        d[k]=d.get(k,0)+m['rss']
    return d
a=groups(sys.argv[1]); b=groups(sys.argv[2])
for k in sorted(set(a)|set(b), key=lambda k:-(b.get(k,0)-a.get(k,0)))[:8]:
    print(f"{k<<32:#x} {a.get(k,0)/1024:8.1f} -> {b.get(k,0)/1024:8.1f} MiB  {(b.get(k,0)-a.get(k,0))*1024/10000:8.1f} B/conn")
