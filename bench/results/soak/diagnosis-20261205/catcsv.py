import sys, os, re, collections, importlib.util
spec=importlib.util.spec_from_file_location('c','/tmp/soak/cat.py')
# reuse load() from cat.py without running its main: copy the function
def load(p):
    c=collections.Counter(); cur=None
    for line in open(p):
        if re.match(r'^[0-9a-f]+-[0-9a-f]+ ', line):
            parts=line.split(); a,b=[int(x,16) for x in parts[0].split('-')]
            name=' '.join(parts[5:]) if len(parts)>5 else ''
            if 'doublemapper' in name: k='jit_code'
            elif name=='[heap]': k='glibc_main_heap'
            elif name.startswith('/'): k='files'
            elif name: k='other'
            elif a%(64<<20)==0 and (b-a)<=(64<<20) and 'rw' in parts[1]: k='glibc_arenas'
            elif (b-a)>=(3<<20): k='gc_regions'
            else: k='small_anon'
            cur=k
        elif line.startswith('Rss:'): c[cur]+=int(line.split()[1])
    return c
d=sys.argv[1]; interval=float(sys.argv[2])
files=sorted(f for f in os.listdir(d) if f.startswith('smaps-L'))
keys=['gc_regions','glibc_arenas','glibc_main_heap','jit_code','files','small_anon','other']
print('minute_since_server_start,'+','.join(k+'_kib' for k in keys)+',total_kib')
for i,f in enumerate(files):
    c=load(os.path.join(d,f)); print('%.1f,'%(i*interval)+','.join(str(c[k]) for k in keys)+',%d'%sum(c.values()))
