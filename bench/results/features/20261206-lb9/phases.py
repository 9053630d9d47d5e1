import sys, csv, statistics
lines=[l.strip().split(',') for l in open(sys.argv[1])]
ups=list(csv.DictReader(open(sys.argv[2])))
lines=lines[-len(ups):]
rows=[]
for l,u in zip(lines, ups):
    d={k:int(v) for k,v in (x.split('=') for x in l[2:])}
    gc=int(l[1])
    ph={'queue':d['txstart'],'pre-rank':d.get('rank0',d['txstart'])-d['txstart'],'rank':d.get('rank1',0)-d.get('rank0',0),
        'post-rank':d['txwork']-d.get('rank1',d['txstart']),'commit+hop':d['committed']-d['txwork'],
        'after':d['after']-d['committed'],'publish':d.get('published',d['committed'])-d['committed'],'apply':d.get('applied',d['committed'])-d['committed'],
        'tail':d['end']-d['after'],'server':d['end'],'client':int(u['took_us']),'gc':gc,'passing':int(u['passing'])}
    ph['outside']=ph['client']-ph['server']
    rows.append(ph)
rows.sort(key=lambda r:r['client'])
n=len(rows)
keys=['client','server','outside','queue','pre-rank','rank','post-rank','commit+hop','after','publish','apply','tail','gc','passing']
def avg(sel,k): return sum(r[k] for r in sel)/len(sel)
print('group'.ljust(14)+''.join(k[:10].rjust(11) for k in keys))
for name,sel in [('p40-60',rows[int(n*.4):int(n*.6)]),('p90-95',rows[int(n*.9):int(n*.95)]),('p97-99',rows[int(n*.97):int(n*.99)]),('top1%',rows[int(n*.99):])]:
    print(name.ljust(14)+''.join(f"{avg(sel,k):11.0f}" if k not in('gc','passing') else f"{avg(sel,k):11.2f}" for k in keys))
print('p50',rows[n//2]['client'],'p99',rows[int(n*.99)]['client'])
