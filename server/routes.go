package server

import (
	"log/slog"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/adaptor"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/marketplace/helpcentre/domain"
	"github.com/marketplace/helpcentre/server/web"
)

// routes is the product's whole route table, in the order Fiber matches it:
// the first route that matches a request answers it, so the back office and
// the contact pages come before the help centre's /:locale routes, which
// would otherwise catch them. Middleware given to app.Use covers every path
// under its prefix, including paths no route takes.
func routes(app *fiber.App, s *Server, h handlers, bodyLimit int, log *slog.Logger, reg *prometheus.Registry) {
	api, defl, site, bo, dom, auth := h.api, h.deflect, h.site, h.bo, h.dom, h.auth

	app.Use(web.Recover(log), h.edge.Resolve, web.RequestIDs(), web.Observe(log, h.metrics), web.SecurityHeaders, web.LimitBody(bodyLimit))

	app.Get("/healthz", s.healthz)
	app.Get("/readyz", s.readyz)
	app.Get("/metrics", adaptor.HTTPHandler(promhttp.HandlerFor(reg, promhttp.HandlerOpts{})))

	// The JSON API. Deflection comes first so that its CORS handling also
	// covers /articles, which the widget reads.
	app.Use("/api/v1/articles", defl.CORS(false))
	app.Use("/api/v1/deflect", defl.CORS(true))
	app.Use("/api/v1/events", defl.CORS(true))
	app.Post("/api/v1/deflect", s.requireIndex, defl.Limit("deflect"), defl.Deflect)
	app.Post("/api/v1/deflect/customer-token", auth.Authenticate, defl.CustomerToken)
	app.Post("/api/v1/deflect/:session/events", defl.Limit("events"), defl.Event)
	app.Get("/api/v1/reports/deflection", auth.RequireAdmin, defl.Report)
	app.Post("/api/v1/events", web.RateLimit("events", h.eventsRate), api.Events)
	app.Get("/api/v1/search", s.requireIndex, web.TokenBucket(h.searchRate), api.Search)
	app.Get("/api/v1/suggest", s.requireIndex, web.TokenBucket(h.searchRate), api.Suggest)
	app.Get("/api/v1/articles/:id", s.requireIndex, api.Article)
	app.Post("/api/v1/articles/:id/feedback", web.RateLimit("fb", 20), api.Vote)
	app.Get("/api/v1/articles/:id/feedback", auth.RequireAdmin, api.FeedbackSummary)
	app.Get("/api/v1/categories", s.requireIndex, api.Categories)
	app.Get("/api/v1/openapi.json", api.OpenAPI)

	app.Use("/api/v1/admin", auth.RequireAdmin) // every /api/v1/admin route below
	app.Post("/api/v1/admin/reload", s.requireIndex, api.Reload)
	app.Get("/api/v1/admin/backup", s.backup)
	app.Get("/api/v1/admin/content/status", api.ContentStatus)
	app.Get("/api/v1/admin/analytics", api.Analytics)
	app.Get("/api/v1/admin/learning", api.Learning)
	app.Post("/api/v1/admin/learning/apply", api.LearningApply)
	app.Post("/api/v1/admin/learning/review", api.LearningReview)

	// The after-sales API: every route but the payment callback needs a
	// bearer token; the services check what the caller may see and do.
	if dom != nil {
		app.Get("/api/v1/me", auth.Authenticate, api.Me)
		app.Post("/api/v1/me/tokens", auth.Authenticate, api.CreateOwnToken)
		app.Delete("/api/v1/tokens/:id", auth.Authenticate, api.RevokeToken)
		app.Get("/api/v1/admin/users", api.ListUsers)
		app.Post("/api/v1/admin/users", api.CreateUser)
		app.Post("/api/v1/admin/users/:id/tokens", api.CreateUserToken)
		app.Get("/api/v1/admin/users/:id/tokens", api.ListUserTokens)
		app.Delete("/api/v1/admin/users/:id/tokens/:token", api.RevokeUserToken)
		app.Post("/api/v1/admin/users/:id/disable", api.DisableUser)
		app.Post("/api/v1/admin/users/:id/enable", api.EnableUser)
		app.Post("/api/v1/admin/users/:id/password", api.ResetPassword)
		app.Put("/api/v1/admin/shops/:id", api.PutShop)
		app.Get("/api/v1/admin/grants", api.ListGrants)
		app.Post("/api/v1/admin/grants", api.Grant)
		app.Delete("/api/v1/admin/grants/:id", api.RevokeGrant)
		app.Put("/api/v1/admin/users/:id/team", api.SetUserTeam)
		app.Get("/api/v1/admin/customers/:id/export", api.ExportCustomer)
		app.Post("/api/v1/admin/customers/:id/erase", api.EraseCustomer)

		app.Get("/api/v1/orders", auth.Authenticate, api.ListOrders)
		app.Put("/api/v1/orders/:number", auth.Authenticate, api.PutOrder)
		app.Get("/api/v1/orders/:number", auth.Authenticate, api.Order)

		if dom.Threads != nil {
			app.Post("/api/v1/orders/:number/threads", auth.Authenticate, api.CreateOrderThread)
			app.Post("/api/v1/threads", auth.Authenticate, api.CreateThread)
			app.Get("/api/v1/threads", auth.Authenticate, api.ListThreads)
			app.Get("/api/v1/threads/:id", auth.Authenticate, api.Thread)
			app.Post("/api/v1/threads/:id/messages", auth.Authenticate, api.PostMessage)
			app.Post("/api/v1/threads/:id/no-reply-needed", auth.Authenticate, api.NoReplyNeeded)
			app.Post("/api/v1/threads/:id/close", auth.Authenticate, api.CloseThread)
			app.Post("/api/v1/threads/:id/read", auth.Authenticate, api.MarkRead)
		}
		if dom.Attachments != nil {
			app.Post("/api/v1/attachments", auth.Authenticate, api.UploadAttachment)
			app.Get("/api/v1/attachments/:sha", auth.Authenticate, api.DownloadAttachment)
		}
		if dom.Work != nil {
			app.Get("/api/v1/admin/routing-rules", api.ListRoutingRules)
			app.Post("/api/v1/admin/routing-rules", api.CreateRoutingRule)
			app.Put("/api/v1/admin/routing-rules/:id", api.UpdateRoutingRule)
			app.Delete("/api/v1/admin/routing-rules/:id", api.DeleteRoutingRule)
		}

		if dom.Incidents != nil {
			app.Post("/api/v1/orders/:number/incidents", auth.Authenticate, api.OpenIncident)
			app.Get("/api/v1/incidents", auth.Authenticate, api.ListIncidents)
			app.Get("/api/v1/incidents/:id", auth.Authenticate, api.Incident)
			app.Post("/api/v1/incidents/:id/resolve", auth.Authenticate, api.ResolveIncident)
			app.Post("/api/v1/incidents/:id/close", auth.Authenticate, api.CloseIncident)
			app.Post("/api/v1/incidents/:id/reopen", auth.Authenticate, api.ReopenIncident)
		}
		if dom.Refunds != nil {
			app.Post("/api/v1/orders/:number/refunds", auth.Authenticate, api.CreateRefund)
			app.Get("/api/v1/orders/:number/refunds", auth.Authenticate, api.ListRefunds)
			app.Get("/api/v1/refunds/:id", auth.Authenticate, api.Refund)
			// The payment side signs its callbacks (X-Helpcentre-Signature);
			// customer care may call it with a bearer token instead.
			app.Post("/api/v1/refunds/:id/callback", api.RefundCallback)
			app.Post("/api/v1/refunds/:id/retry", auth.Authenticate, api.RetryRefund)
		}
		if dom.Claims != nil {
			app.Post("/api/v1/orders/:number/claims", auth.Authenticate, api.OpenClaim)
			app.Get("/api/v1/claims", auth.Authenticate, api.ListClaims)
			app.Get("/api/v1/claims/:id", auth.Authenticate, api.Claim)
			app.Post("/api/v1/claims/:id/offers", auth.Authenticate, api.Offer)
			app.Post("/api/v1/claims/:id/offers/:offer/accept", auth.Authenticate, api.AcceptOffer)
			app.Post("/api/v1/claims/:id/offers/:offer/reject", auth.Authenticate, api.RejectOffer)
			app.Post("/api/v1/claims/:id/offers/:offer/withdraw", auth.Authenticate, api.WithdrawOffer)
			app.Post("/api/v1/claims/:id/refund", auth.Authenticate, api.RefundClaim)
			app.Post("/api/v1/claims/:id/return", auth.Authenticate, api.StartReturn)
			app.Post("/api/v1/claims/:id/close", auth.Authenticate, api.CloseClaim)
			app.Get("/api/v1/returns/:id", auth.Authenticate, api.Return)
			app.Get("/api/v1/returns/:id/label", auth.Authenticate, api.ReturnLabel)
			app.Post("/api/v1/returns/:id/shipped", auth.Authenticate, api.ReturnShipped)
			app.Post("/api/v1/returns/:id/received", auth.Authenticate, api.ReturnReceived)
		}
		if dom.Work != nil {
			app.Get("/api/v1/queue", auth.Authenticate, api.Queue)
			app.Get("/api/v1/shops/:id/stats", auth.Authenticate, api.ShopStats)
		}
		app.Get("/api/v1/admin/outbox", api.Outbox)
		app.Get("/api/v1/admin/mail", api.Mail)
		app.Get("/api/v1/me/mail-preferences", auth.Authenticate, api.MailPreferences)
		app.Put("/api/v1/me/mail-preferences", auth.Authenticate, api.PutMailPreferences)
		app.Get("/api/v1/notifications", auth.Authenticate, api.Notifications)
		app.Post("/api/v1/notifications/:id/read", auth.Authenticate, api.NotificationRead)
		if dom.Audit != nil {
			app.Get("/api/v1/audit", auth.Authenticate, api.Audit)
		}
	}
	app.Use("/api/v1", web.NotFound)

	app.Get("/static/*", h.assets.Serve)
	app.Get("/sitemap.xml", s.requireIndex, site.Sitemap)
	app.Get("/robots.txt", site.Robots)

	// The back office: sign-in, then the areas of customers, sellers and
	// customer care, each behind its role and the CSRF check.
	if bo != nil {
		app.Get("/login", bo.Login)
		app.Post("/login", bo.CSRF, bo.LoginPerIP, bo.LoginPerName, bo.LoginPost)
		app.Post("/logout", bo.Auth(), bo.CSRF, bo.Logout)
		app.Get("/password", bo.Auth(), bo.Password)
		app.Post("/password", bo.Auth(), bo.CSRF, bo.PasswordPost)

		app.Use("/account", bo.Auth(domain.RoleCustomer), bo.CSRF)
		app.Get("/account", bo.AccountOrders)
		app.Get("/account/orders/:number", bo.AccountOrder)
		app.Post("/account/orders/:number/threads", bo.AccountStartThread)
		app.Post("/account/orders/:number/incidents", bo.AccountOpenIncident)
		app.Post("/account/orders/:number/claims", bo.AccountOpenClaim)
		app.Get("/account/messages", bo.AccountMessages)
		app.Get("/account/notifications", bo.AccountNotifications)
		app.Post("/account/notifications", bo.AccountNotificationsSave)
		app.Get("/account/messages/:id", bo.AccountThread)
		app.Post("/account/messages/:id", bo.AccountReply)
		app.Post("/account/messages/:id/close", bo.CloseThread("/account"))
		app.Get("/account/claims/:id", bo.AccountClaim)
		app.Post("/account/claims/:id/offers/:offer/:decision", bo.AccountDecideOffer)
		app.Post("/account/claims/:id/close", bo.AccountCloseClaim)
		app.Post("/account/claims/:id/return/shipped", bo.AccountReturnShipped)
		app.Get("/account/attachments/:sha", api.DownloadAttachment)
		app.Get("/account/returns/:id/label", api.ReturnLabel)
		app.Get("/account/export", api.ExportMine)

		app.Use("/seller", bo.Auth(domain.RoleSeller), bo.CSRF)
		app.Get("/seller", bo.SellerHome)
		app.Get("/seller/messages", bo.SellerInbox)
		app.Get("/seller/messages/:id", bo.SellerThread)
		app.Post("/seller/messages/:id", bo.SellerReply)
		app.Post("/seller/messages/:id/no-reply-needed", bo.SellerNoReply)
		app.Post("/seller/messages/:id/close", bo.CloseThread("/seller"))
		app.Get("/seller/attachments/:sha", api.DownloadAttachment)
		app.Get("/seller/canned", bo.SellerCanned)
		app.Post("/seller/canned", bo.SellerCannedSave)
		app.Post("/seller/canned/:id/delete", bo.SellerCannedDelete)
		app.Get("/seller/orders", bo.SellerOrders)
		app.Get("/seller/orders/:number", bo.SellerOrder)
		app.Post("/seller/orders/:number/threads", bo.SellerStartThread)
		app.Post("/seller/orders/:number/refund", bo.SellerRefund)
		app.Get("/seller/incidents", bo.SellerIncidents)
		app.Get("/seller/incidents/:id", bo.SellerIncident)
		app.Post("/seller/incidents/:id/solve", bo.SellerSolveIncident)
		app.Get("/seller/claims", bo.SellerClaims)
		app.Get("/seller/claims/:id", bo.SellerClaim)
		app.Post("/seller/claims/:id/offer", bo.SellerOffer)
		app.Post("/seller/claims/:id/refund", bo.SellerClaimRefund)
		app.Post("/seller/claims/:id/return", bo.SellerClaimReturn)
		app.Post("/seller/claims/:id/return/received", bo.SellerReturnReceived)
		app.Post("/seller/claims/:id/offers/:offer/withdraw", bo.SellerWithdrawOffer)
		app.Get("/seller/returns/:id/label", api.ReturnLabel)
		app.Get("/seller/stats", bo.SellerStats)

		app.Use("/operator", bo.Auth(domain.RoleAgent, domain.RoleAdmin), bo.CSRF)
		app.Get("/operator", bo.OperatorQueue)
		app.Get("/operator/messages", bo.OperatorMessages)
		app.Get("/operator/messages/:id", bo.OperatorThread)
		app.Post("/operator/messages/:id", bo.OperatorReply)
		app.Post("/operator/messages/:id/close", bo.CloseThread("/operator"))
		app.Get("/operator/attachments/:sha", api.DownloadAttachment)
		app.Get("/operator/incidents", bo.OperatorIncidents)
		app.Get("/operator/incidents/:id", bo.OperatorIncident)
		app.Post("/operator/incidents/:id/close", bo.OperatorCloseIncident)
		app.Post("/operator/incidents/:id/reopen", bo.OperatorReopenIncident)
		app.Get("/operator/claims", bo.OperatorClaims)
		app.Get("/operator/claims/:id", bo.OperatorClaim)
		app.Post("/operator/claims/:id/refund", bo.OperatorClaimAction)
		app.Post("/operator/claims/:id/return", bo.OperatorClaimAction)
		app.Post("/operator/claims/:id/close", bo.OperatorClaimAction)
		app.Post("/operator/claims/:id/return/:state", bo.OperatorAdvanceReturn)
		app.Post("/operator/claims/:id/offers/:offer/withdraw", bo.OperatorWithdrawOffer)
		app.Get("/operator/returns/:id/label", api.ReturnLabel)
		app.Get("/operator/orders", bo.OperatorOrders)
		app.Get("/operator/orders/:number", bo.OperatorOrder)
		app.Post("/operator/orders/:number/refunds/:id/retry", bo.OperatorRetryRefund)
		app.Post("/operator/orders/:number/refunds", bo.OperatorRefund)
		app.Post("/operator/orders/:number/incidents", bo.OperatorOpenIncident)
		app.Post("/operator/orders/:number/threads", bo.OperatorStartThread)
		app.Get("/operator/admin", bo.OperatorAdmin)
		app.Post("/operator/admin/rules", bo.OperatorAddRule)
		app.Post("/operator/admin/grants", bo.OperatorGrant)
		app.Get("/operator/admin/rules/:id", bo.OperatorRule)
		app.Post("/operator/admin/rules/:id", bo.OperatorEditRule)
		app.Post("/operator/admin/rules/:id/delete", bo.OperatorDeleteRule)
		app.Post("/operator/admin/grants/:id/revoke", bo.OperatorRevokeGrant)
		app.Post("/operator/admin/users/:id/team", bo.OperatorSetTeam)
		app.Get("/operator/notifications", bo.OperatorNotifications)
		app.Post("/operator/notifications/:id/read", bo.OperatorNotificationRead)
		app.Get("/operator/admin/users", bo.OperatorUsers)
		app.Get("/operator/admin/users/:id", bo.OperatorUser)
		app.Post("/operator/admin/users/:id/:action<regex(^(disable|enable|password|revoke)$)>", bo.OperatorUserAction)
		app.Get("/operator/admin/users/:id/export", api.ExportCustomer)
		app.Post("/operator/admin/users/:id/erase", bo.OperatorEraseCustomer)
		app.Get("/operator/stats", bo.OperatorStats)
		app.Get("/operator/stats/:shop", bo.OperatorShopStats)
	}

	// The widget's script and the contact pages.
	app.Get("/:file<regex(^widget\\.([0-9a-z]+\\.)?js$)>", site.Widget)
	app.Get("/contact", site.ContactRedirect)
	app.Get("/:locale/contact", site.Contact)
	// The contact flow without JavaScript (question → suggestions → hand-off),
	// and an anonymous visitor's conversation, opened by the link mailed to them.
	app.Post("/:locale/contact", s.requireIndex, defl.Limit("deflect"), site.ContactAsk)
	app.Post("/:locale/contact/send", defl.Limit("events"), site.ContactSend)
	app.Get("/contact/c/:token", site.GuestThread)
	app.Post("/contact/c/:token", web.RateLimit("guest", 30), site.GuestThread)
	app.Get("/reports/deflection", site.DeflectionReportRedirect)
	if bo != nil {
		app.Get("/operator/deflection", bo.Auth(domain.RoleAgent, domain.RoleAdmin), bo.DeflectionReport)
		app.Get("/operator/analytics", bo.Auth(domain.RoleAgent, domain.RoleAdmin), bo.SearchAnalytics)
		app.Post("/operator/analytics/review", bo.Auth(domain.RoleAgent, domain.RoleAdmin), bo.SearchAnalyticsReview)
	}

	// The help centre's pages.
	app.Get("/search", s.requireIndex, site.Search)
	app.Get("/", site.RootRedirect)
	app.Get("/:locale", s.requireIndex, site.Home)
	app.Get("/:locale/categories/:id", s.requireIndex, site.Category)
	app.Get("/:locale/articles/:id/:slug?", s.requireIndex, site.Article)
	app.Post("/:locale/articles/:id/feedback", web.RateLimit("fb", 20), site.Feedback)
	app.Use(web.NotFound)
}
