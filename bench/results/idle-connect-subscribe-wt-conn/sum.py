import csv,sys
for d in sys.argv[1:]:
    try: rows=list(csv.DictReader(open(d+'/latest.csv')))
    except Exception as e: print(d,'missing'); continue
    v={(r['server'],r['metric']):float(r['value']) for r in rows}
    m=lambda s,k: v.get((s,k+'_10000'))
    h,k='hubbub','kestrel'
    try:
      print(d, 'rate %.0f/%.0f = %.2f'%(m(h,'connects_per_s'),m(k,'connects_per_s'),m(h,'connects_per_s')/m(k,'connects_per_s')),
       'srv %.0f/%.0f = %.2f'%(m(h,'server_cpu_us_per_connect'),m(k,'server_cpu_us_per_connect'),m(h,'server_cpu_us_per_connect')/m(k,'server_cpu_us_per_connect')),
       'gen %.0f/%.0f = %.2f'%(m(h,'loadgen_cpu_us_per_connect'),m(k,'loadgen_cpu_us_per_connect'),m(h,'loadgen_cpu_us_per_connect')/m(k,'loadgen_cpu_us_per_connect')),
       'rss %.2f held %.2f'%(m(h,'rss_kib_per_conn'), m(h,'rss_kib_per_conn')+v.get((h,'hold_rss_growth_kib_per_conn_10000'),0)),
       'alloc %.0f'%v.get((h,'server_allocated_bytes_per_connect_10000'),0), 'sub', v.get((h,'idle_subscribe')))
    except Exception as e: print(d,'err',e)
