# The performance.md table rows: each run's csv, its load at start from runs.log (the nearest start line of that name).
import csv,glob,os,re
log=[l.split() for l in open('bench/results/idle-sixteenth-wt-idle/runs.log') if ' start load ' in l]
def secs(t): h,m,s=int(t[:2]),int(t[2:4]) if ':' not in t else 0,0; return None
def tosec(hms): h,m,s=map(int,hms.split(':')); return h*3600+m*60+s
for f in sorted(glob.glob('bench/results/idle-sixteenth-wt-idle/*/2*.csv'), key=os.path.basename):
    if 'steps' in f: continue
    name=os.path.basename(os.path.dirname(f)); t=os.path.basename(f)[9:15]; ts=int(t[:2])*3600+int(t[2:4])*60+int(t[4:6])
    cand=[l for l in log if l[1]==name]; best=min(cand,key=lambda l:abs(tosec(l[0])-ts))
    v={};k={}
    for r in csv.reader(open(f)):
        if len(r)>4 and r[0]=='idle':
            try: (v if r[1]=='hubbub' else k)[r[3]]=float(r[4])
            except: pass
    c=v['rss_kib_per_conn_10000']; g=v['hold_rss_growth_kib_per_conn_10000']
    print(f"| `{t}` {name.rsplit('-',1)[0]} | {best[4]} | {c:.2f} | {g:+.2f} | **{c+g:.2f}** | {v['hold_cpu_us_per_conn_per_min_10000']:.0f} | {v['hold_allocated_kib_per_conn_10000']:.2f} | {v['hold_kestrel_pool_allocated_growth_kib_per_conn_10000']:.2f} | {v['connects_per_s_10000']/k['connects_per_s_10000']:.2f}× | {v['server_cpu_us_per_connect_10000']/k['server_cpu_us_per_connect_10000']:.2f}× |")
