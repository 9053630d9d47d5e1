import csv,glob,os,sys,re
rows=[]
for f in sorted(glob.glob('bench/results/idle-sixteenth-wt-idle/*/2*.csv'), key=os.path.basename):
    if 'steps' in f: continue
    d=f
    v={};k={}
    for r in csv.reader(open(f)):
        if len(r)>4 and r[0]=='idle':
            try: (v if r[1]=='hubbub' else k)[r[3]]=float(r[4])
            except: pass
    if 'rss_kib_per_conn_10000' not in v: continue
    conn=v['rss_kib_per_conn_10000']; grow=v.get('hold_rss_growth_kib_per_conn_10000',float('nan'))
    rate=v['connects_per_s_10000']/k['connects_per_s_10000'] if k else float('nan')
    cpu=v['server_cpu_us_per_connect_10000']/k['server_cpu_us_per_connect_10000'] if k else float('nan')
    print(f"{os.path.basename(os.path.dirname(d)):8} {os.path.basename(d)[9:15]} conn {conn:5.2f} grow {grow:+5.2f} held {conn+grow:5.2f}  rate× {rate:4.2f} cpu× {cpu:4.2f} holdcpu {v.get('hold_cpu_us_per_conn_per_min_10000',0):4.0f}us/conn/min alloc {v['server_allocated_bytes_per_connect_10000']:6.0f} holdalloc {v.get('hold_allocated_kib_per_conn_10000',0):.2f} pool {v.get('hold_kestrel_pool_allocated_growth_kib_per_conn_10000',0):.2f} gen2 {v.get('hold_gen2_growth_kib_per_conn_10000',0):.2f} drop {v.get('dropped_10000',0):.0f} frames {v.get('hold_frames_per_conn_10000',0):.2f} kestrelKiB {k.get('rss_kib_per_conn_10000',0):.1f}")
